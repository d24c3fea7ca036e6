package dev.kiln.spec.archive;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** How sources are named: {@code sha256:<hex>} of the archive's bytes, on the server and the agents alike. */
public final class SourceDigest {
    private static final Pattern FORM = Pattern.compile("sha256:[0-9a-f]{64}");

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

    /**
     * Whether {@code digest} has the one form {@link #name} gives: {@code sha256:} and 64 lowercase
     * hex digits. Sources are stored in files named after their digest, so nothing else may be used.
     */
    public static boolean isValid(String digest) {
        return digest != null && FORM.matcher(digest).matches();
    }
}
