package dev.kiln.server.hooks;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks a webhook's signature on the raw body bytes, before anything reads them as JSON, and in
 * constant time ({@link MessageDigest#isEqual}), so that neither a parser bug nor the time a
 * comparison takes is reachable without the secret.
 */
public final class Signatures {
    private Signatures() {}

    /** Whether the request's signature (or GitLab's token) is right for {@code body} and {@code secret}. */
    public static boolean valid(HookDialect dialect, Function<String, String> header, byte[] body, byte[] secret) {
        return switch (dialect) {
            case GITLAB -> {
                String token = header.apply("X-Gitlab-Token");
                yield token != null && MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8), secret);
            }
            case GITHUB -> prefixed(header.apply("X-Hub-Signature-256"), body, secret);
            case GENERIC -> prefixed(header.apply("X-Kiln-Signature-256"), body, secret);
            case GITEA -> {
                String sig = header.apply("X-Gitea-Signature") != null ? header.apply("X-Gitea-Signature")
                        : header.apply("X-Forgejo-Signature");
                yield sig != null && hexEquals(sig.strip(), hmac(secret, body));
            }
        };
    }

    private static boolean prefixed(String sig, byte[] body, byte[] secret) {
        return sig != null && sig.strip().startsWith("sha256=") && hexEquals(sig.strip().substring(7), hmac(secret, body));
    }

    /** Compares the given hex with the expected bytes in time independent of where they differ. */
    private static boolean hexEquals(String hex, byte[] expected) {
        byte[] given;
        try {
            given = HexFormat.of().parseHex(hex.toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            given = new byte[0];   // not hex: still compared, so a malformed one takes the same path
        }
        return MessageDigest.isEqual(given, expected);
    }

    /** HMAC-SHA256 of {@code body} keyed by {@code secret}. */
    public static byte[] hmac(byte[] secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(body);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    /** {@code sha256=<hex>}: GitHub's and Kiln's header value for {@code body}. */
    public static String header(byte[] secret, byte[] body) {
        return "sha256=" + HexFormat.of().formatHex(hmac(secret, body));
    }
}
