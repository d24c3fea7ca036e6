package dev.kiln.server.scheduler;

import dev.kiln.spec.json.Json;
import dev.kiln.server.builds.SourceStore;
import dev.kiln.server.events.BuildEvents;
import dev.kiln.server.logs.LogStore;
import dev.kiln.server.store.Build;
import dev.kiln.server.store.BuildStore;
import dev.kiln.server.store.Database;
import dev.kiln.spec.plan.BuildPlan;
import dev.kiln.spec.protocol.Lease;
import dev.kiln.spec.protocol.LeaseRequest;
import dev.kiln.spec.protocol.Status;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A real store (H2 file), log store and scheduler on an injected clock, with no reaper thread.
 * Public for tests of other modules' code against the real server (the agent's log resend).
 */
public final class SchedulerFixture implements AutoCloseable {
    static final Duration LEASE = Duration.ofSeconds(30);

    final MutableClock clock = new MutableClock(1_000_000);
    final Database db;
    final BuildStore store;
    public final LogStore logs;
    final Scheduler scheduler;
    public final AgentService agents;

    public SchedulerFixture(Path dir) throws IOException {
        db = Database.open(Database.h2Url(dir), null, null);
        store = new BuildStore(db);
        logs = new LogStore(dir.resolve("logs"));
        BuildEvents events = new BuildEvents();
        dev.kiln.server.metrics.ServerMetrics metrics = new dev.kiln.server.metrics.ServerMetrics();
        scheduler = new Scheduler(store, logs, events, clock, LEASE, Duration.ofSeconds(10), metrics);
        agents = new AgentService(scheduler, store, logs, new SourceStore(dir.resolve("sources"), 1 << 20, dev.kiln.spec.archive.ArchiveLimits.DEFAULTS), events, metrics);
    }

    /** A queued one-step build; {@code ttlMillis} null for none. */
    public Build queue(long timeoutMillis, Long ttlMillis) {
        String id = UUID.randomUUID().toString();
        String plan;
        try {
            plan = Json.MAPPER.writeValueAsString(new BuildPlan(BuildPlan.VERSION, id, timeoutMillis, List.of(), List.of()));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return store.insert(new Build(id, 0, Status.QUEUED, null, null, "build.yaml", Map.of(), plan, List.of(), List.of(),
                null, clock.millis(), null, null, timeoutMillis, ttlMillis, null, null, null, false), List.of("step"));
    }

    public Lease lease(String agent) throws InterruptedException {
        return scheduler.lease(new LeaseRequest(LeaseRequest.PROTOCOL, agent, "host", List.of()), Duration.ZERO)
                .orElseThrow(() -> new AssertionError("no build to lease"));
    }

    public Status status(String id) {
        return store.get(id).orElseThrow().status();
    }

    String log(String id) throws IOException {
        return new String(logs.read(id, 0, 0, 1 << 20), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        scheduler.close();
        db.close();
    }
}
