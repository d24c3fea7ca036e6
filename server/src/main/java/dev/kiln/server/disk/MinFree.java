package dev.kiln.server.disk;

import dev.kiln.spec.archive.Sizes;
import java.util.Locale;

/**
 * The free space below which the server takes no new builds: the smaller of {@code bytes} and
 * {@code percent} of the disk. The default, the smaller of 1 GiB and 5%, keeps a small disk usable
 * (5% of 8 GiB is 410 MiB) and does not idle a large one with 100 GiB free (1 GiB of 2 TiB).
 */
public record MinFree(long bytes, double percent) {
    public static final MinFree DEFAULT = new MinFree(1L << 30, 5);
    public static final MinFree OFF = new MinFree(0, 0);
    public static final String SETTING = "--min-free-disk";

    public MinFree {
        if (bytes < 0 || percent < 0 || percent > 100) {
            throw new IllegalArgumentException(SETTING + " must be a size or a percentage between 0 and 100");
        }
    }

    /** {@code 2GiB}, {@code 10%} or {@code 0} (never refuse); an {@link IllegalArgumentException} naming the setting else. */
    public static MinFree parse(String text) {
        String t = text.strip();
        if (t.endsWith("%")) {
            try {
                return new MinFree(Long.MAX_VALUE, Double.parseDouble(t.substring(0, t.length() - 1).strip()));
            } catch (NumberFormatException e) {
                throw notOne(text);
            }
        }
        long b = Sizes.parse(t).orElseThrow(() -> notOne(text));
        return b == 0 ? OFF : new MinFree(b, 100);
    }

    private static IllegalArgumentException notOne(String text) {
        return new IllegalArgumentException(SETTING + ": '" + text + "' is neither a size nor a percentage (say 2GiB or 5%)");
    }

    /** The floor, in bytes, on a disk of {@code total} bytes. */
    public long floor(long total) {
        return Math.min(bytes, (long) (total * (percent / 100.0)));
    }

    /** As the setting reads: "the smaller of 1 GiB and 5% of the disk", "2 GiB", "10% of the disk", "off". */
    public String describe() {
        if (bytes == 0 || percent == 0) {
            return "off";
        }
        String pct = (percent == Math.rint(percent) ? String.valueOf((long) percent) : String.format(Locale.ROOT, "%s", percent))
                + "% of the disk";
        if (bytes == Long.MAX_VALUE) {
            return pct;
        }
        return percent >= 100 ? Sizes.human(bytes) : "the smaller of " + Sizes.human(bytes) + " and " + pct;
    }
}
