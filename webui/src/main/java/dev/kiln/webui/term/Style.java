package dev.kiln.webui.term;

/**
 * Packs a cell's graphic rendition into one int and applies SGR parameters to it.
 *
 * <p>An int per cell rather than an object keeps a line two flat arrays, which is what makes
 * the renderer fast and its memory easy to bound. Layout: bits 0-8 foreground (0 = default,
 * 1-256 = palette index + 1), bits 9-17 background (same), bits 18-24 the attribute flags.
 */
final class Style {
    static final int PLAIN = 0;

    static final int BOLD = 1 << 18;
    static final int FAINT = 1 << 19;
    static final int ITALIC = 1 << 20;
    static final int UNDERLINE = 1 << 21;
    static final int INVERSE = 1 << 22;
    static final int STRIKE = 1 << 23;
    static final int CONCEAL = 1 << 24;

    private static final int FG_MASK = 0x1ff;
    private static final int BG_SHIFT = 9;
    private static final int BG_MASK = 0x1ff << BG_SHIFT;

    private Style() {}

    /** Foreground palette index, or -1 for the default colour. */
    static int fg(int style) {
        return (style & FG_MASK) - 1;
    }

    /** Background palette index, or -1 for the default colour. */
    static int bg(int style) {
        return ((style & BG_MASK) >>> BG_SHIFT) - 1;
    }

    static int withFg(int style, int index) {
        return style & ~FG_MASK | (index + 1);
    }

    static int withBg(int style, int index) {
        return style & ~BG_MASK | (index + 1) << BG_SHIFT;
    }

    /**
     * Applies one SGR sequence ({@code ESC [ ... m}) to a style. {@code colon} has bit i set
     * when parameter i was introduced by ':' (ITU T.416 sub-parameters, as in {@code 38:2::r:g:b}).
     * Unknown parameters are skipped, as terminals do.
     */
    static int apply(int style, int[] params, int count, long colon) {
        if (count == 0) {
            return PLAIN;
        }
        int i = 0;
        while (i < count) {
            int p = params[i];
            if (p == 38 || p == 48) {
                int packed = extendedColour(params, count, colon, i);
                int consumed = packed >>> 16;
                int index = (packed & 0xffff) - 1;
                if (index >= 0) {
                    style = p == 38 ? withFg(style, index) : withBg(style, index);
                }
                i += consumed;
                continue;
            }
            style = simple(style, p);
            i++;
        }
        return style;
    }

    private static int simple(int style, int p) {
        if (p >= 30 && p <= 37) {
            return withFg(style, p - 30);
        }
        if (p >= 40 && p <= 47) {
            return withBg(style, p - 40);
        }
        if (p >= 90 && p <= 97) {
            return withFg(style, p - 90 + 8);
        }
        if (p >= 100 && p <= 107) {
            return withBg(style, p - 100 + 8);
        }
        return switch (p) {
            case 0 -> PLAIN;
            case 1 -> style | BOLD;
            case 2 -> style | FAINT;
            case 3 -> style | ITALIC;
            case 4, 21 -> style | UNDERLINE;
            case 7 -> style | INVERSE;
            case 8 -> style | CONCEAL;
            case 9 -> style | STRIKE;
            case 22 -> style & ~(BOLD | FAINT);
            case 23 -> style & ~ITALIC;
            case 24 -> style & ~UNDERLINE;
            case 27 -> style & ~INVERSE;
            case 28 -> style & ~CONCEAL;
            case 29 -> style & ~STRIKE;
            case 39 -> style & ~FG_MASK;
            case 49 -> style & ~BG_MASK;
            default -> style;
        };
    }

    /**
     * Reads {@code 38;5;n}, {@code 38;2;r;g;b} or their colon forms starting at i. Returns how
     * many parameters it consumed in the high 16 bits and the palette index + 1 in the low 16
     * (0 when there is no usable colour), so that a malformed colour skips its own parameters.
     */
    private static int extendedColour(int[] params, int count, long colon, int i) {
        if (i + 1 >= count) {
            return 1 << 16;
        }
        int mode = params[i + 1];
        if (mode == 5) {
            if (i + 2 >= count) {
                return 2 << 16;
            }
            int n = params[i + 2];
            return 3 << 16 | (n <= 255 ? n + 1 : 0);
        }
        if (mode == 2) {
            int first = i + 2;
            // 38:2:CS:r:g:b carries a colour-space id before r; the colon form says so by count.
            if (isColon(colon, first) && subParamsAfter(colon, count, i) >= 5) {
                first++;
            }
            if (first + 2 >= count) {
                return (count - i) << 16;
            }
            int r = params[first], g = params[first + 1], b = params[first + 2];
            int index = r <= 255 && g <= 255 && b <= 255 ? Palette.nearest(r, g, b) + 1 : 0;
            return (first + 3 - i) << 16 | index;
        }
        return 2 << 16;
    }

    private static boolean isColon(long colon, int index) {
        return index < 64 && (colon >>> index & 1) != 0;
    }

    private static int subParamsAfter(long colon, int count, int i) {
        int n = 0;
        for (int j = i + 1; j < count && isColon(colon, j); j++) {
            n++;
        }
        return n;
    }
}
