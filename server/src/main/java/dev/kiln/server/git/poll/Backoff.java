package dev.kiln.server.git.poll;

import java.time.Duration;

/**
 * How long the poller waits before looking at a repo again: its interval after a success; after
 * {@code n} failures in a row, the interval doubled {@code n} times, at most {@link #MAX} (never
 * less than the interval itself), so that a dead remote costs a request every ten minutes, not
 * every few seconds, and a success brings the interval back at once.
 */
public record Backoff(Duration max) {
    public static final Duration MAX = Duration.ofMinutes(10);
    public static final Backoff DEFAULT = new Backoff(MAX);

    public Duration delay(Duration interval, int failures) {
        if (failures <= 0) {
            return interval;
        }
        Duration d = interval;
        for (int i = 0; i < failures && d.compareTo(max) < 0; i++) {
            d = d.multipliedBy(2);
        }
        Duration capped = d.compareTo(max) > 0 ? max : d;
        return capped.compareTo(interval) < 0 ? interval : capped;
    }
}
