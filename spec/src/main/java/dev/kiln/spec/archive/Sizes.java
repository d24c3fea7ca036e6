package dev.kiln.spec.archive;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Byte sizes as people write them: {@code 4GiB}, {@code 512M}, {@code 1048576}; units are powers of 1024. */
public final class Sizes {
    private static final Pattern SIZE = Pattern.compile("(\\d{1,18})\\s*(?:([KMGT])(?:iB)?)?", Pattern.CASE_INSENSITIVE);
    private static final String UNITS = "KMGT";

    private Sizes() {}

    /** The size {@code text} says; empty when it is not one, or too large to count. */
    public static Optional<Long> parse(String text) {
        Matcher m = SIZE.matcher(text.strip());
        if (!m.matches()) {
            return Optional.empty();
        }
        long n = Long.parseLong(m.group(1));
        int shift = m.group(2) == null ? 0 : 10 * (UNITS.indexOf(m.group(2).toUpperCase(Locale.ROOT)) + 1);
        return n > Long.MAX_VALUE >> shift ? Optional.empty() : Optional.of(n << shift);
    }

    /** {@code bytes} as an operator reads them: "512 MiB", "1.5 GiB", "900 bytes" (rounded, unlike {@link #format}). */
    public static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + " bytes";
        }
        double v = bytes;
        int unit = -1;
        while (v >= 1024 && unit < UNITS.length() - 1) {
            v /= 1024;
            unit++;
        }
        // One decimal below 10 (1.5 GiB), none above (512 MiB): enough to compare, nothing to squint at.
        String n = v < 10 && Math.round(v * 10) % 10 != 0 ? String.format(Locale.ROOT, "%.1f", v)
                : String.valueOf(Math.round(v));
        return n + " " + UNITS.charAt(unit) + "iB";
    }

    /** {@code bytes} in the largest unit that divides it: "4 GiB", "1536 KiB", "1000 bytes". */
    public static String format(long bytes) {
        int unit = 0;
        while (unit < UNITS.length() && bytes != 0 && bytes % 1024 == 0) {
            bytes /= 1024;
            unit++;
        }
        return bytes + (unit == 0 ? " bytes" : " " + UNITS.charAt(unit - 1) + "iB");
    }
}
