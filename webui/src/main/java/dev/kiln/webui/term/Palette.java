package dev.kiln.webui.term;

/**
 * Knows xterm's 256-colour palette and rounds a truecolor to its nearest entry.
 *
 * <p>Truecolor is rounded because the dashboard sends a Content-Security-Policy without
 * {@code style-src 'unsafe-inline'}: every colour must be a class, and 2^24 classes is not a
 * stylesheet. Only the 6x6x6 cube (16-231) and the grey ramp (232-255) are candidates, because
 * entries 0-15 are themed by the page and would not keep the colour the program asked for.
 */
final class Palette {
    private static final int[] CUBE_LEVELS = {0, 95, 135, 175, 215, 255};

    /** The 16 base colours as xterm draws them; the page's theme may redefine them. */
    private static final int[] BASE16 = {
        0x000000, 0xcd0000, 0x00cd00, 0xcdcd00, 0x0000ee, 0xcd00cd, 0x00cdcd, 0xe5e5e5,
        0x7f7f7f, 0xff0000, 0x00ff00, 0xffff00, 0x5c5cff, 0xff00ff, 0x00ffff, 0xffffff,
    };

    private Palette() {}

    /** The RGB value (0xRRGGBB) of a palette index 0-255. */
    static int rgb(int index) {
        if (index < 16) {
            return BASE16[index];
        }
        if (index < 232) {
            int i = index - 16;
            return CUBE_LEVELS[i / 36] << 16 | CUBE_LEVELS[i / 6 % 6] << 8 | CUBE_LEVELS[i % 6];
        }
        int grey = 8 + (index - 232) * 10;
        return grey << 16 | grey << 8 | grey;
    }

    /** The palette index (16-255) nearest to the colour r, g, b (each 0-255) in RGB distance. */
    static int nearest(int r, int g, int b) {
        int cr = nearestLevel(r), cg = nearestLevel(g), cb = nearestLevel(b);
        int cube = 16 + 36 * cr + 6 * cg + cb;
        int cubeDistance = distance(r, g, b, CUBE_LEVELS[cr], CUBE_LEVELS[cg], CUBE_LEVELS[cb]);
        int average = (r + g + b) / 3;
        int step = Math.max(0, Math.min(23, Math.round((average - 8) / 10f)));
        int grey = 8 + step * 10;
        int greyDistance = distance(r, g, b, grey, grey, grey);
        return greyDistance < cubeDistance ? 232 + step : cube;
    }

    private static int nearestLevel(int v) {
        // Levels are 0, 95, then every 40: midpoints 48, 115, 155, 195, 235.
        if (v < 48) {
            return 0;
        }
        if (v < 115) {
            return 1;
        }
        return Math.min(5, (v - 35) / 40);
    }

    private static int distance(int r1, int g1, int b1, int r2, int g2, int b2) {
        int dr = r1 - r2, dg = g1 - g2, db = b1 - b2;
        return dr * dr + dg * dg + db * db;
    }
}
