package dev.kiln.server.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.server.support.Requirements;
import dev.kiln.spec.json.Json;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Debian's docker-registry on a free loopback port, without auth, as the sample's
 * setup/registry.sh starts it for a user; read back through the registry's own API (catalog, tags).
 */
final class LocalRegistry implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Process process;
    private final String address;

    private LocalRegistry(Process process, String address) {
        this.process = process;
        this.address = address;
    }

    static LocalRegistry start(Path dir) throws IOException {
        Path binary = Path.of("/usr/bin/docker-registry");
        Requirements.require(Files.isExecutable(binary), "needs Debian's docker-registry (apt-get install docker-registry)");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String address = "127.0.0.1:" + port;
        Files.createDirectories(dir);
        Path config = dir.resolve("config.yml");
        Files.writeString(config, """
                version: 0.1
                log: {level: warn}
                storage:
                  filesystem: {rootdirectory: %s}
                http: {addr: %s}
                """.formatted(dir.resolve("data"), address));
        Process p = new ProcessBuilder(binary.toString(), "serve", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
        LocalRegistry registry = new LocalRegistry(p, address);
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .until(() -> !p.isAlive() || registry.status("/v2/") == 200);
        assertThat(p.isAlive()).as("docker-registry runs; its log: %s", Files.readString(dir.resolve("registry.log"))).isTrue();
        return registry;
    }

    /** host:port, as an image name starts: {@code 127.0.0.1:PORT/churn-service:TAG}. */
    String address() {
        return address;
    }

    /** GET /v2/_catalog: the repositories pushed. */
    List<String> catalog() throws IOException, InterruptedException {
        return strings(get("/v2/_catalog").path("repositories"));
    }

    /** GET /v2/NAME/tags/list: a repository's tags (empty when it has none). */
    List<String> tags(String repository) throws IOException, InterruptedException {
        return strings(get("/v2/" + repository + "/tags/list").path("tags"));
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + address + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        return Json.MAPPER.readTree(r.body());
    }

    private int status(String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://" + address + path)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException | InterruptedException e) {
            return -1;
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
