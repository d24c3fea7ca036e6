package dev.kiln.agent.run;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Replaces secrets in a stream of log chunks with {@code ***}: each secret as it is, in base64
 * (standard and URL-safe, at each of the three alignments a secret can have inside a longer encoded
 * text) and URL-encoded. A form split across chunks is caught by holding back the end of a chunk
 * while it could still be the start of one; everything else passes at once. One instance per log;
 * not thread-safe. Used by the agent on a step's output and by the server on what an agent sends.
 */
public final class SecretMasker {
    public static final byte[] MASK = "***".getBytes(StandardCharsets.UTF_8);
    /** Shorter secrets are not masked: they would garble the log. */
    static final int MIN_SECRET = 4;
    /** Shorter encoded forms are not masked either, for the same reason. */
    static final int MIN_FORM = 4;

    private final List<byte[]> forms;
    private final boolean[] first = new boolean[256];
    /** Which two bytes a form can start with: most positions of a log are passed over after one look-up. */
    private final boolean[] pairs = new boolean[1 << 16];
    /** The forms by their first byte, longest first. */
    private final byte[][][] byFirst = new byte[256][][];
    private final int longest;
    private byte[] held = new byte[0];

    public SecretMasker(Collection<String> secrets) {
        this.forms = forms(secrets);
        for (byte[] f : forms) {
            first[f[0] & 0xff] = true;
            pairs[(f[0] & 0xff) << 8 | (f[1] & 0xff)] = true;
        }
        for (int b = 0; b < 256; b++) {
            int at = b;
            byFirst[b] = forms.stream().filter(f -> (f[0] & 0xff) == at).toArray(byte[][]::new);
        }
        this.longest = forms.stream().mapToInt(f -> f.length).max().orElse(0);
    }

    /** Whether there is nothing to mask (chunks then pass unchanged, nothing held back). */
    public boolean isEmpty() {
        return forms.isEmpty();
    }

    /** Bytes held back, waiting for the next chunk to tell whether they start a secret. */
    public int held() {
        return held.length;
    }

    /** Masks {@code data[off, off+len)} after what was held; returns what can be released now. */
    public byte[] feed(byte[] data, int off, int len) {
        if (forms.isEmpty()) {
            return Arrays.copyOfRange(data, off, off + len);
        }
        byte[] all = new byte[held.length + len];
        System.arraycopy(held, 0, all, 0, held.length);
        System.arraycopy(data, off, all, held.length, len);
        byte[] masked = mask(all);
        int keep = heldBack(masked);
        held = Arrays.copyOfRange(masked, masked.length - keep, masked.length);
        return Arrays.copyOf(masked, masked.length - keep);
    }

    /** {@code text} masked whole: a complete text, so nothing is held back for a next chunk. */
    public String maskText(String text) {
        return forms.isEmpty() || text == null ? text
                : new String(mask(text.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
    }

    /** What is held back, at the log's end: it can no longer become a secret. */
    public byte[] flush() {
        byte[] out = held;
        held = new byte[0];
        return out;
    }

    /**
     * Every form a secret is masked in, longest first (so that the longest match wins). Base64 at
     * alignment {@code a}: the characters of {@code base64(a filler bytes + secret)} that depend on
     * the secret's bytes alone.
     */
    static List<byte[]> forms(Collection<String> secrets) {
        Set<String> out = new LinkedHashSet<>();
        for (String s : secrets) {
            if (s == null || s.length() < MIN_SECRET) {
                continue;
            }
            byte[] raw = s.getBytes(StandardCharsets.UTF_8);
            out.add(s);
            for (int a = 0; a < 3; a++) {
                byte[] shifted = new byte[a + raw.length];
                System.arraycopy(raw, 0, shifted, a, raw.length);
                String std = Base64.getEncoder().withoutPadding().encodeToString(shifted);
                int from = (a * 8 + 5) / 6;                  // first character with no filler bit
                int to = (a + raw.length) * 8 / 6;           // last character made of whole secret bits
                if (to - from >= MIN_FORM) {
                    String core = std.substring(from, to);
                    out.add(core);
                    out.add(core.replace('+', '-').replace('/', '_'));
                }
            }
            // URL encoders differ in what they leave as is: RFC 3986's unreserved characters (Python's
            // quote, Go), Java's URLEncoder (also '*', not '~'), JavaScript's encodeURIComponent (also
            // !'()*); each with a space as %20 or '+', and hex digits in either case.
            for (String safe : List.of("-._~", "-._*", "-._~!'()*")) {
                for (boolean plus : List.of(false, true)) {
                    for (boolean lower : List.of(false, true)) {
                        out.add(percentEncode(raw, safe, plus, lower));
                    }
                }
            }
        }
        List<byte[]> bytes = new ArrayList<>();
        for (String f : out) {
            if (f.length() >= MIN_FORM) {
                bytes.add(f.getBytes(StandardCharsets.UTF_8));
            }
        }
        bytes.sort(Comparator.comparingInt((byte[] b) -> b.length).reversed());
        return List.copyOf(bytes);
    }

    private static String percentEncode(byte[] raw, String safe, boolean plus, boolean lower) {
        StringBuilder b = new StringBuilder(raw.length * 3);
        for (byte x : raw) {
            int c = x & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || safe.indexOf(c) >= 0) {
                b.append((char) c);
            } else if (c == ' ' && plus) {
                b.append('+');
            } else {
                String hex = String.format("%%%02X", c);
                b.append(lower ? hex.toLowerCase(Locale.ROOT) : hex);
            }
        }
        return b.toString();
    }

    private byte[] mask(byte[] data) {
        ByteArrayOutputStream out = null;
        int copied = 0;
        int i = 0;
        int last = data.length - 1;
        while (i < last) {
            if (pairs[(data[i] & 0xff) << 8 | (data[i + 1] & 0xff)]) {
                byte[] hit = match(data, i);
                if (hit != null) {
                    if (out == null) {
                        out = new ByteArrayOutputStream(data.length);
                    }
                    out.write(data, copied, i - copied);
                    out.write(MASK, 0, MASK.length);
                    i += hit.length;
                    copied = i;
                    continue;
                }
            }
            i++;
        }
        if (out == null) {
            return data;
        }
        out.write(data, copied, data.length - copied);
        return out.toByteArray();
    }

    private byte[] match(byte[] data, int at) {
        for (byte[] f : byFirst[data[at] & 0xff]) {
            if (startsWith(data, at, f, f.length)) {
                return f;
            }
        }
        return null;
    }

    /** The length of the longest tail of {@code data} that is a proper start of some form. */
    private int heldBack(byte[] data) {
        int best = 0;
        for (int k = Math.min(longest - 1, data.length); k > 0; k--) {
            int at = data.length - k;
            if (!first[data[at] & 0xff]) {
                continue;
            }
            for (byte[] f : forms) {
                if (f.length > k && startsWith(data, at, f, k)) {
                    return k;
                }
            }
        }
        return best;
    }

    private static boolean startsWith(byte[] data, int at, byte[] s, int len) {
        if (at + len > data.length) {
            return false;
        }
        for (int j = 0; j < len; j++) {
            if (data[at + j] != s[j]) {
                return false;
            }
        }
        return true;
    }
}
