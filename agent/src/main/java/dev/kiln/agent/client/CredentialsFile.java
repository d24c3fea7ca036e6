package dev.kiln.agent.client;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.kiln.spec.json.Json;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The tokens {@code kiln login} stored: {@code $XDG_CONFIG_HOME/kiln/credentials.json} (else
 * {@code ~/.config/kiln/}), a JSON map of server URL to token, in a directory of mode 700 and a
 * file of mode 600. A token is only ever sent to the server it is stored under.
 */
public final class CredentialsFile {
    private final Path file;

    public CredentialsFile(Path file) {
        this.file = file;
    }

    /** The file of this user, as XDG_CONFIG_HOME says. */
    public static CredentialsFile ofUser() {
        String xdg = System.getenv("XDG_CONFIG_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".config");
        return new CredentialsFile(base.resolve("kiln").resolve("credentials.json"));
    }

    public Path path() {
        return file;
    }

    /** The token stored for {@code serverUrl}, if any. */
    public Optional<String> token(String serverUrl) throws IOException {
        return Optional.ofNullable(read().get(key(serverUrl)));
    }

    public void put(String serverUrl, String token) throws IOException {
        Map<String, String> all = read();
        all.put(key(serverUrl), token);
        write(all);
    }

    /** Removes the token of {@code serverUrl}; false when none was stored. */
    public boolean remove(String serverUrl) throws IOException {
        Map<String, String> all = read();
        if (all.remove(key(serverUrl)) == null) {
            return false;
        }
        write(all);
        return true;
    }

    /** One server, one key: no trailing slash, scheme and host in lower case. */
    static String key(String serverUrl) {
        String s = serverUrl.strip().replaceAll("/+$", "");
        int hostEnd = s.indexOf('/', s.indexOf("://") + 3);
        return hostEnd < 0 ? s.toLowerCase(Locale.ROOT) : s.substring(0, hostEnd).toLowerCase(Locale.ROOT) + s.substring(hostEnd);
    }

    private Map<String, String> read() throws IOException {
        if (!Files.exists(file)) {
            return new TreeMap<>();
        }
        try {
            return new TreeMap<>(Json.MAPPER.readValue(file.toFile(), new TypeReference<Map<String, String>>() {}));
        } catch (IOException e) {
            throw new IOException(file + " is not a map of server URL to token (" + e.getMessage().lines().findFirst()
                    .orElse("") + "); fix or delete it", e);
        }
    }

    private void write(Map<String, String> all) throws IOException {
        Path dir = Files.createDirectories(file.getParent());
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        // Made private before the token goes in, then moved over the old file: never readable by others, never half written.
        Path tmp = Files.createTempFile(dir, "credentials", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.write(tmp, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(all));
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
