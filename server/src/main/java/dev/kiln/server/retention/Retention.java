package dev.kiln.server.retention;

import dev.kiln.server.artifacts.BuildArtifacts;
import dev.kiln.server.builds.SourceStore;
import dev.kiln.server.logs.LogStore;
import dev.kiln.server.store.BuildStore;
import dev.kiln.server.store.Database;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the data directory from only growing: a sweep, at start and then every
 * {@link RetentionPolicy#every()}, removes the ended builds the policy lets go (rows, logs, and
 * each source archive once no build uses it), and what a crash left behind: abandoned uploads,
 * archives no build uses, log directories of no build.
 */
public final class Retention implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Retention.class);
    /** Builds removed per transaction: a first sweep over years of builds must not hold the database for long. */
    static final int BATCH = 200;

    private final RetentionStore store;
    private final BuildStore builds;
    private final LogStore logs;
    private final SourceStore sources;
    private final RetentionPolicy policy;
    private final Clock clock;
    private volatile Sweep last;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "kiln-retention");
        t.setDaemon(true);
        return t;
    });

    private final BuildArtifacts artifacts;

    public Retention(Database db, BuildStore builds, LogStore logs, SourceStore sources, RetentionPolicy policy, Clock clock) {
        this(db, builds, logs, sources, policy, clock, null);
    }

    /** {@code artifacts}: whose content no build uses any more once builds are removed (null: none kept). */
    public Retention(Database db, BuildStore builds, LogStore logs, SourceStore sources, RetentionPolicy policy, Clock clock,
                     BuildArtifacts artifacts) {
        this.artifacts = artifacts;
        this.store = new RetentionStore(db);
        this.builds = builds;
        this.logs = logs;
        this.sources = sources;
        this.policy = policy;
        this.clock = clock;
    }

    /**
     * What one sweep removed: {@code builds}, {@code sources} (archives), {@code leftovers}
     * (abandoned uploads, log directories of no build), and the bytes they held.
     */
    public record Sweep(Instant time, int builds, int sources, int leftovers, long bytes) {}

    /** Sweeps now, then every {@link RetentionPolicy#every()}, on its own thread. */
    public void start() {
        long period = policy.every().toMillis();
        timer.scheduleWithFixedDelay(this::sweepQuietly, 0, period, TimeUnit.MILLISECONDS);
    }

    private void sweepQuietly() {
        try {
            sweep();
        } catch (Exception e) {
            // The next sweep tries again; one failure (a file in use, a busy database) must not end them all.
            log.warn("retention sweep failed: {}", e.toString());
        }
    }

    /** One sweep, now; tests call it directly with their own clock. */
    public synchronized Sweep sweep() throws IOException {
        long now = clock.millis();
        long cutoff = policy.keepDays() == 0 ? 0 : now - Duration.ofDays(policy.keepDays()).toMillis();
        int removedBuilds = 0;
        long bytes = 0;
        Set<String> digests = new LinkedHashSet<>();
        Set<String> artifactDigests = new LinkedHashSet<>();
        while (true) {
            List<RetentionStore.Removed> gone = store.remove(store.expired(cutoff, policy.keepBuilds(), BATCH));
            if (gone.isEmpty()) {
                break;
            }
            // Rows first, then files: a crash in between leaves files of no build, which the next sweep finds.
            for (RetentionStore.Removed r : gone) {
                bytes += logs.delete(r.id());
                artifactDigests.addAll(r.artifacts());
                if (r.sourceDigest() != null) {
                    digests.add(r.sourceDigest());
                }
            }
            removedBuilds += gone.size();
        }
        if (artifacts != null) {
            bytes += artifacts.release(artifactDigests);
        }
        int removedSources = 0;
        long graceStart = now - policy.sourceGrace().toMillis();
        digests.addAll(sources.storedBefore(graceStart));
        for (String d : digests) {
            long freed = sources.removeIfUnused(d, builds::usesSource);
            if (freed > 0) {
                removedSources++;
                bytes += freed;
            }
        }
        SourceStore.Freed uploads = sources.removeAbandonedUploads();
        int leftovers = uploads.files();
        bytes += uploads.bytes();
        // Listed before the ids are read: a build created in between has its id in the set.
        Map<String, Long> logDirs = logs.builds();
        Set<String> ids = store.ids();
        for (var e : logDirs.entrySet()) {
            if (!ids.contains(e.getKey()) && e.getValue() < graceStart) {
                bytes += logs.delete(e.getKey());
                leftovers++;
            }
        }
        Sweep s = new Sweep(Instant.ofEpochMilli(now), removedBuilds, removedSources, leftovers, bytes);
        if (removedBuilds + removedSources + leftovers > 0) {
            log.info("retention: removed {} build(s), {} source archive(s), {} leftover file(s); {} bytes freed",
                    removedBuilds, removedSources, leftovers, bytes);
        }
        last = s;
        return s;
    }

    /** The last sweep's result; empty before the first. */
    public Optional<Sweep> last() {
        return Optional.ofNullable(last);
    }

    public RetentionPolicy policy() {
        return policy;
    }

    RetentionStore.Counts counts() {
        return store.counts();
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);   // a sweep mid-way finishes before the database closes
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
