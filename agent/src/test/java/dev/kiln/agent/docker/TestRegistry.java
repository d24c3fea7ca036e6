package dev.kiln.agent.docker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.agent.support.CiRequirement;
import dev.kiln.spec.json.Json;
import dev.kiln.spec.protocol.RegistryCredential;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The real registry (Debian's docker-registry with htpasswd auth) that {@code .ci/run} starts and
 * names in {@code KILN_TEST_REGISTRY} (host:port), {@code KILN_TEST_REGISTRY_USER} and
 * {@code KILN_TEST_REGISTRY_PASSWORD}. In CI a test that needs it fails when it is missing;
 * elsewhere it skips, saying how to start one ({@code eval "$(.ci/registry DIR)"}).
 */
public record TestRegistry(String host, String user, String password) {

    public static TestRegistry require() {
        String host = System.getenv("KILN_TEST_REGISTRY");
        boolean ok = host != null && !host.isBlank();
        String why = "needs a registry: run eval \"$(.ci/registry DIR)\" first (sets KILN_TEST_REGISTRY*)";
        CiRequirement.require(ok, why);
        return new TestRegistry(host, System.getenv("KILN_TEST_REGISTRY_USER"), System.getenv("KILN_TEST_REGISTRY_PASSWORD"));
    }

    public RegistryCredential login() {
        return new RegistryCredential(host, user, password);
    }

    /** The registry's repositories, from its catalog API. */
    public List<String> catalog() throws IOException, InterruptedException {
        return strings(get("/v2/_catalog?n=1000").path("repositories"));
    }

    /** The tags of {@code repository} (without the host), from the tags API; empty if it does not exist. */
    public List<String> tags(String repository) throws IOException, InterruptedException {
        return strings(get("/v2/" + repository + "/tags/list").path("tags"));
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        String basic = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        HttpResponse<byte[]> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://" + host + path))
                .header("Authorization", "Basic " + basic).build(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() == 404) {
            return Json.MAPPER.createObjectNode();
        }
        if (r.statusCode() != 200) {
            throw new IOException("registry answered " + r.statusCode() + " to " + path + ": " + new String(r.body(), StandardCharsets.UTF_8));
        }
        return Json.MAPPER.readTree(r.body());
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
