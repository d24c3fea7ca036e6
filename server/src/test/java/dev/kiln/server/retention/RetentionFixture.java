package dev.kiln.server.retention;

import dev.kiln.server.builds.SourceStore;
import dev.kiln.server.logs.LogStore;
import dev.kiln.server.scheduler.MutableClock;
import dev.kiln.server.store.Build;
import dev.kiln.server.store.BuildStore;
import dev.kiln.server.store.Database;
import dev.kiln.server.store.Provenance;
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
        return inserted(Status.QUEUED, config, digest, Provenance.SUBMIT);
    }

    /** A build of {@code trigger} of {@code repo}, from a push, with {@code status} (QUEUED, or PENDING: waiting for approval). */
    String fromGit(Status status, String repo, String trigger, String config, String digest) throws IOException {
        return inserted(status, config, digest, new Provenance(repo, "refs/heads/dev", "0".repeat(40), "Ada <ada@example.com>",
                "a commit", trigger, Provenance.Cause.PUSH, null));
    }

    /** A build of {@code trigger} of {@code repo} that ended (CANCELLED) now. */
    String endedFromGit(String repo, String trigger, String config, String digest) throws IOException {
        String id = fromGit(Status.QUEUED, repo, trigger, config, digest);
        end(id);
        return id;
    }

    private String inserted(Status status, String config, String digest, Provenance git) throws IOException {
        String id = UUID.randomUUID().toString();
        store.insert(new Build(id, 0, status, null, digest, config, Map.of(), "{}", List.of(), List.of(), null,
                clock.millis(), null, null, 60_000, null, null, null, null, false, git), List.of("step"));
        logs.appendNotice(id, 0, "a line of log\n");
        return id;
    }

    private void end(String id) {
        store.end(id, Transition.CANCEL_QUEUED, Map.of(), new BuildStore.End(Status.CANCELLED, null, Status.CANCELLED, null),
                clock.millis());
    }

    /** A build that ended (CANCELLED) now, as the clock says. */
    String ended(String config, String digest) throws IOException {
        String id = queued(config, digest);
        end(id);
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
