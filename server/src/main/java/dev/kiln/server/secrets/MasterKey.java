package dev.kiln.server.secrets;

import dev.kiln.server.access.PrivateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The key every stored secret is encrypted with: {@code KILN_MASTER_KEY} (base64 of 32 bytes) when
 * set, else {@code <data-dir>/master.key} (mode 600), made at first start. Whoever holds it and a
 * copy of the database holds the secrets: back the two up apart, or keep the key in the environment.
 */
public final class MasterKey {
    public static final String ENV = "KILN_MASTER_KEY";
    static final String FILE = "master.key";

    private MasterKey() {}

    /** The key from {@code fromEnv} (the variable's value, null when unset) or the data directory's file. */
    public static SecretKey load(Path dataDir, String fromEnv) throws IOException {
        if (fromEnv != null && !fromEnv.isBlank()) {
            return key(fromEnv.strip(), ENV);
        }
        Path file = dataDir.resolve(FILE);
        if (Files.exists(file)) {
            PrivateFiles.restrict(file);
            return key(Files.readString(file).strip(), file.toString());
        }
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        PrivateFiles.write(file, Base64.getEncoder().encodeToString(raw) + "\n");
        return new SecretKeySpec(raw, "AES");
    }

    private static SecretKey key(String base64, String where) throws IOException {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new IOException(where + " is not base64: it must hold 32 random bytes in base64 (openssl rand -base64 32)");
        }
        if (raw.length != 32) {
            throw new IOException(where + " holds " + raw.length + " bytes; the master key is 32 bytes in base64"
                    + " (openssl rand -base64 32)");
        }
        return new SecretKeySpec(raw, "AES");
    }
}
