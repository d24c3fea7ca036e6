package dev.kiln.spec.archive;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** How sources are named: {@code sha256:<hex>} of the archive's bytes, on the server and the agents alike. */
public final class SourceDigest {
    private SourceDigest() {}

    public static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
    }

    public static String name(MessageDigest finished) {
        return "sha256:" + HexFormat.of().formatHex(finished.digest());
    }
}
