package dev.kiln.server.retention;

import dev.kiln.server.builds.SourceStore;
import dev.kiln.server.logs.LogStore;
import dev.kiln.server.scheduler.MutableClock;
import dev.kiln.server.store.Build;
import dev.kiln.server.store.BuildStore;
import dev.kiln.server.store.Database;
import dev.kiln.server.store.Transition;
import dev.kiln.spec.archive.ArchiveLimits;
import dev.kiln.spec.protocol.Status;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A real store (H2 file), log store and source store with retention on a clock the test moves.
 * The clock starts at the real time, because clean-up of leftovers compares it with files' times.
 */
final class RetentionFixture implements AutoCloseable {
    static final long DAY = Duration.ofDays(1).toMillis();

    final MutableClock clock = new MutableClock(System.currentTimeMillis());
    final Path dir;
    final Database db;
    final BuildStore store;
    final LogStore logs;
    final SourceStore sources;
    final Retention retention;

    RetentionFixture(Path dir, RetentionPolicy policy) throws IOException {
        this.dir = dir;
        db = Database.open(Database.h2Url(dir), null, null);
        store = new BuildStore(db);
        logs = new LogStore(dir.resolve("logs"));
        sources = new SourceStore(dir.resolve("sources"), 1 << 20, ArchiveLimits.DEFAULTS);
        retention = new Retention(db, store, logs, sources, policy, clock);
    }

    /** Stores {@code content} as a source archive (the store does not look inside) and returns its digest. */
    String source(String content) throws IOException {
        try (SourceStore.Hold h = sources.store(new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8)))) {
            return h.digest();
        }
    }

    /** A queued build of {@code config} using {@code digest}, with one step whose log holds a line. */
    String queued(String config, String digest) throws IOException {
        String id = UUID.randomUUID().toString();
        store.insert(new Build(id, 0, Status.QUEUED, null, digest, config, Map.of(), "{}", List.of(), List.of(), null,
                clock.millis(), null, null, 60_000, null, null, null, null, false), List.of("step"));
        logs.appendNotice(id, 0, "a line of log\n");
        return id;
    }

    /** A build that ended (CANCELLED) now, as the clock says. */
    String ended(String config, String digest) throws IOException {
        String id = queued(config, digest);
        store.end(id, Transition.CANCEL_QUEUED, Map.of(), new BuildStore.End(Status.CANCELLED, null, Status.CANCELLED, null),
                clock.millis());
        return id;
    }

    /** A build an agent is running. */
    String working(String config, String digest) throws IOException {
        String id = queued(config, digest);
        if (!store.claim(id, "agent", "lease-" + id, clock.millis(), clock.millis() + 30_000)) {
            throw new IllegalStateException("could not claim " + id);
        }
        return id;
    }

    boolean exists(String buildId) {
        return store.get(buildId).isPresent();
    }

    boolean hasLog(String buildId) {
        return Files.exists(logs.file(buildId, 0));
    }

    boolean stored(String digest) {
        return Files.exists(sources.path(digest));
    }

    @Override
    public void close() {
        retention.close();
        db.close();
    }
}
