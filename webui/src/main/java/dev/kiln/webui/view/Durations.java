package dev.kiln.webui.view;

/** Durations as people read them: 850ms, 12.3s, 4m 05s, 2h 03m. */
public final class Durations {
    private Durations() {}

    public static String text(long millis) {
        if (millis < 0) {
            return "";
        }
        if (millis < 1000) {
            return millis + "ms";
        }
        if (millis < 60_000) {
            return String.format(java.util.Locale.ROOT, "%.1fs", millis / 1000.0);
        }
        long s = millis / 1000;
        if (s < 3600) {
            return String.format(java.util.Locale.ROOT, "%dm %02ds", s / 60, s % 60);
        }
        return String.format(java.util.Locale.ROOT, "%dh %02dm", s / 3600, s / 60 % 60);
    }

    /** From {@code start} to {@code end}, or to {@code now} while running; empty if not started. */
    public static String between(Long start, Long end, long now) {
        return start == null ? "" : text((end != null ? end : now) - start);
    }
}
