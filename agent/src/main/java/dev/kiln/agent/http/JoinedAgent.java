package dev.kiln.agent.http;

import dev.kiln.spec.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * What an agent keeps after it joined a server: its id and its own credential, in a file of its
 * work directory that only its user may read (mode 600), so that a restarted agent is the same
 * agent and needs the registration token no more.
 */
public record JoinedAgent(String server, String agentId, String credential) {
    /** The file's name in the agent's work directory. */
    public static final String FILE = "agent-credential.json";

    /** What {@code file} holds; empty when there is no such file. */
    public static Optional<JoinedAgent> read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        JoinedAgent a;
        try {
            a = Json.MAPPER.readValue(file.toFile(), JoinedAgent.class);
        } catch (IOException e) {
            throw new IOException(file + " is not an agent credential this agent wrote (" + e.getMessage().lines().findFirst()
                    .orElse("") + "); delete it to join again with the registration token");
        }
        if (a == null || a.agentId() == null || a.credential() == null) {
            throw new IOException(file + " lacks the agent's id or credential; delete it to join again with the"
                    + " registration token");
        }
        return Optional.of(a);
    }

    /** Writes this to {@code file}, mode 600 from its first byte. */
    public void write(Path file) throws IOException {
        Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), "." + FILE, ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.write(tmp, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(this));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
