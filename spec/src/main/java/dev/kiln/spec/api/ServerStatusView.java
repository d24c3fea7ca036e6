package dev.kiln.spec.api;

import java.time.Instant;

/**
 * {@code GET /api/server/status}: what the data directory holds and what room is left, the builds,
 * and how retention keeps it in bounds. Sizes are bytes; {@code lastSweep} is null before the first.
 */
public record ServerStatusView(Disk disk, Usage usage, Builds builds, Retention retention, Sweep lastSweep) {

    /** The data directory's file system; below {@code minFreeBytes} free, new builds are refused (507). */
    public record Disk(long freeBytes, long totalBytes, long minFreeBytes, boolean nearlyFull) {}

    /** Bytes in the data directory by kind. */
    public record Usage(long database, long logs, long sources, long other, long total) {}

    /** Builds by state; {@code kept}: those retention never removes. */
    public record Builds(long total, long queued, long working, long ended, long kept) {}

    /** The settings: 0 means no limit. {@code summary} says it in a sentence. */
    public record Retention(int keepDays, int keepBuilds, String minFreeDisk, String summary) {}

    /** What the last sweep removed, and the bytes that freed. */
    public record Sweep(Instant time, int builds, int sources, int leftovers, long freedBytes) {}
}
