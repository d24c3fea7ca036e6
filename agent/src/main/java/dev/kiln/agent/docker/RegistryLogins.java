package dev.kiln.agent.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.dockerjava.api.model.AuthConfig;
import dev.kiln.spec.json.Json;
import dev.kiln.spec.plan.ImageRef;
import dev.kiln.spec.protocol.RegistryCredential;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The registry logins of one build, as a Docker client config ({@code config.json}) in the build's
 * scratch directory: the docker CLI reads it through {@code DOCKER_CONFIG}, and the native builder
 * reads it back by path, so whichever executor runs a docker step finds the build's logins without
 * being handed them. Mode 700/600 and removed with the build's directory; steps never see it.
 */
public final class RegistryLogins {
    /** Docker's own key for Docker Hub in a config file. */
    private static final String HUB_KEY = "https://index.docker.io/v1/";

    private final Map<String, RegistryCredential> byHost;

    private RegistryLogins(Map<String, RegistryCredential> byHost) {
        this.byHost = byHost;
    }

    /** The directory to point {@code DOCKER_CONFIG} at. */
    public static Path dir(Path scratch) {
        return scratch.resolve("docker-config");
    }

    public static void write(Path scratch, List<RegistryCredential> logins) throws IOException {
        Path dir = dir(scratch);
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        ObjectNode auths = Json.MAPPER.createObjectNode();
        for (RegistryCredential c : logins) {
            String auth = Base64.getEncoder().encodeToString((c.username() + ":" + c.password()).getBytes(StandardCharsets.UTF_8));
            auths.putObject(key(c.host())).put("auth", auth);
        }
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.set("auths", auths);
        Path file = dir.resolve("config.json");
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(file, Json.MAPPER.writeValueAsBytes(root));
    }

    /** The logins written for the build whose scratch directory this is; none if there are none. */
    public static RegistryLogins read(Path scratch) throws IOException {
        Path file = dir(scratch).resolve("config.json");
        Map<String, RegistryCredential> map = new LinkedHashMap<>();
        if (Files.isRegularFile(file)) {
            JsonNode auths = Json.MAPPER.readTree(file.toFile()).path("auths");
            for (var it = auths.fields(); it.hasNext(); ) {
                var e = it.next();
                String plain = new String(Base64.getDecoder().decode(e.getValue().path("auth").asText()), StandardCharsets.UTF_8);
                int colon = plain.indexOf(':');
                String host = e.getKey().equals(HUB_KEY) ? ImageRef.DOCKER_HUB : e.getKey();
                map.put(host, new RegistryCredential(host, plain.substring(0, colon), plain.substring(colon + 1)));
            }
        }
        return new RegistryLogins(map);
    }

    public static RegistryLogins of(List<RegistryCredential> logins) {
        Map<String, RegistryCredential> map = new LinkedHashMap<>();
        logins.forEach(c -> map.put(c.host(), c));
        return new RegistryLogins(map);
    }

    /** docker-java's auth for pushing {@code image}: the login of its registry, if the build has one. */
    public Optional<AuthConfig> authFor(String image) {
        String host = ImageRef.parse(image).registry();
        RegistryCredential c = byHost.get(host);
        if (c == null) {
            return Optional.empty();
        }
        return Optional.of(new AuthConfig().withUsername(c.username()).withPassword(c.password())
                .withRegistryAddress(key(host)));
    }

    private static String key(String host) {
        return host.equals(ImageRef.DOCKER_HUB) ? HUB_KEY : host;
    }
}
