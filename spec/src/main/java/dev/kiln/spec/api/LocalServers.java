package dev.kiln.spec.api;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * How {@code kiln} finds the admin token of a server on the same machine with no set-up: at start
 * the server notes, per port, where its token file is ({@code $XDG_CONFIG_HOME/kiln/servers/PORT},
 * a path, not the token); the CLI follows that note for a loopback server URL and reads the file,
 * which only the server's user can read.
 */
public final class LocalServers {
    private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "[::1]", "::1");

    private LocalServers() {}

    /** Notes that the server on {@code port} keeps its admin token in {@code tokenFile}. */
    public static void register(int port, Path tokenFile) throws IOException {
        Path note = note(port);
        Files.createDirectories(note.getParent());
        Files.writeString(note, tokenFile.toAbsolutePath() + "\n");
    }

    /** Whether {@code host} (a name or address, IPv6 with or without brackets) is this machine's loopback. */
    public static boolean isLoopback(String host) {
        return host != null && LOOPBACK.contains(host);
    }

    /** Whether {@code serverUrl} names this machine: only then may a token found on it be sent there. */
    public static boolean isLocal(String serverUrl) {
        try {
            return isLoopback(URI.create(serverUrl).getHost());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The admin token file of the server at {@code serverUrl}, if it runs on this machine and left a note. */
    public static Optional<Path> tokenFile(String serverUrl) {
        if (!isLocal(serverUrl)) {
            return Optional.empty();
        }
        URI u = URI.create(serverUrl);
        int port = u.getPort() > 0 ? u.getPort() : "https".equals(u.getScheme()) ? 443 : 80;
        try {
            Path note = note(port);
            return Files.exists(note) ? Optional.of(Path.of(Files.readString(note).strip())) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Path note(int port) {
        String xdg = System.getenv("XDG_CONFIG_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".config");
        return base.resolve("kiln").resolve("servers").resolve(String.valueOf(port));
    }
}
