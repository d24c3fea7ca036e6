package dev.kiln.server.retention;

import java.time.Duration;

/**
 * Which ended builds the server keeps. A build is removed, with its logs and (once no build uses
 * it) its source archive, when it ended more than {@code keepDays} ago or when {@code keepBuilds}
 * newer builds of its config exist; 0 turns either rule off. Never removed: a build still queued or
 * running, and a build marked kept. {@code sourceGrace}: how old an archive no build uses must be
 * before a sweep takes it (an upload in flight in another process, a crash between upload and
 * build). {@code every}: how often the sweep runs, besides once at start.
 */
public record RetentionPolicy(int keepDays, int keepBuilds, Duration sourceGrace, Duration every) {
    public static final RetentionPolicy DEFAULTS = new RetentionPolicy(30, 100, Duration.ofHours(1), Duration.ofHours(1));

    public RetentionPolicy {
        if (keepDays < 0) {
            throw new IllegalArgumentException("--keep-days must be 0 (no limit) or more");
        }
        if (keepBuilds < 0) {
            throw new IllegalArgumentException("--keep-builds must be 0 (no limit) or more");
        }
        if (sourceGrace.isNegative() || every.isNegative() || every.isZero()) {
            throw new IllegalArgumentException("the sweep needs a grace of 0 or more and a period above 0");
        }
    }

    public RetentionPolicy withLimits(int days, int builds) {
        return new RetentionPolicy(days, builds, sourceGrace, every);
    }

    /** What the sweep removes, for an operator: "old builds are removed after 30 days and beyond the last 100 per config". */
    public String describe() {
        if (keepDays == 0 && keepBuilds == 0) {
            return "no build is removed by age or count (--keep-days 0, --keep-builds 0)";
        }
        String days = keepDays == 0 ? "" : "after " + keepDays + (keepDays == 1 ? " day" : " days");
        String count = keepBuilds == 0 ? "" : "beyond the last " + keepBuilds + " per config";
        return "old builds are removed " + days + (days.isEmpty() || count.isEmpty() ? "" : " and ") + count;
    }
}
