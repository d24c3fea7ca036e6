package dev.kiln.server.support;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Looks for a secret in bytes: as it is, base64 (standard and URL-safe, at each alignment, the
 * characters that depend on the secret alone) and URL-encoded. What the "no secret in clear
 * anywhere" checks grep files and responses for.
 */
public final class SecretScan {
    private SecretScan() {}

    /** The forms of {@code secret} to look for. */
    public static List<String> forms(String secret) {
        Set<String> out = new LinkedHashSet<>();
        out.add(secret);
        byte[] raw = secret.getBytes(StandardCharsets.UTF_8);
        for (int a = 0; a < 3; a++) {
            byte[] shifted = new byte[a + raw.length];
            System.arraycopy(raw, 0, shifted, a, raw.length);
            String std = Base64.getEncoder().withoutPadding().encodeToString(shifted);
            String core = std.substring((a * 8 + 5) / 6, (a + raw.length) * 8 / 6);
            out.add(core);
            out.add(core.replace('+', '-').replace('/', '_'));
        }
        out.add(URLEncoder.encode(secret, StandardCharsets.UTF_8));
        out.add(URLEncoder.encode(secret, StandardCharsets.UTF_8).replace("+", "%20"));
        // RFC 3986's form (Python's urllib.parse.quote): '~' as is, '*' escaped.
        out.add(URLEncoder.encode(secret, StandardCharsets.UTF_8).replace("+", "%20").replace("%7E", "~")
                .replace("*", "%2A"));
        return List.copyOf(out);
    }

    /** The forms of {@code secret} found in {@code text} (empty: none). */
    public static List<String> in(String text, String secret) {
        return forms(secret).stream().filter(text::contains).toList();
    }

    /** Every file under {@code dir} holding some form of {@code secret}, with the form found. */
    public static List<String> filesUnder(Path dir, String secret) throws IOException {
        List<byte[]> forms = forms(secret).stream().map(f -> f.getBytes(StandardCharsets.UTF_8)).toList();
        List<String> found = new ArrayList<>();
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.filter(Files::isRegularFile).toList()) {
                byte[] bytes;
                try {
                    bytes = Files.readAllBytes(p);
                } catch (java.nio.file.NoSuchFileException gone) {
                    continue;   // a temp file that went away meanwhile
                }
                for (byte[] f : forms) {
                    if (indexOf(bytes, f) >= 0) {
                        found.add(dir.relativize(p) + " holds " + new String(f, StandardCharsets.UTF_8));
                    }
                }
            }
        }
        return found;
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
