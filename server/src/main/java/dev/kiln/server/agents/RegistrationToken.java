package dev.kiln.server.agents;

import dev.kiln.server.access.PrivateFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The token new agents join with, kept in {@code <data-dir>/agent.token} (mode 600), made on first
 * start. It buys a credential of one's own and nothing else; rotating it stops new joins with the
 * old one, while agents that joined keep their credentials.
 */
public final class RegistrationToken {
    private final Path file;
    private volatile String token;

    public RegistrationToken(Path file) throws IOException {
        this.file = file;
        if (Files.exists(file)) {
            token = Files.readString(file).strip();
            PrivateFiles.restrict(file);
        } else {
            token = fresh();
            PrivateFiles.write(file, token + "\n");
        }
    }

    public Path file() {
        return file;
    }

    public String current() {
        return token;
    }

    /** Whether {@code given} is the current token (compared in constant time). */
    public boolean matches(String given) {
        return given != null && MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8),
                token.getBytes(StandardCharsets.UTF_8));
    }

    /** A new token, written to the file before it is used; the old one stops working. */
    public synchronized String rotate() {
        String next = fresh();
        try {
            PrivateFiles.write(file, next + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the new registration token to " + file, e);
        }
        token = next;
        return next;
    }

    private static String fresh() {
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }
}
