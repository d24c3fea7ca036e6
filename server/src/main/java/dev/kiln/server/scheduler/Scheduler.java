package dev.kiln.server.scheduler;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.kiln.spec.json.Json;
import dev.kiln.server.events.BuildEvents;
import dev.kiln.server.logs.LogStore;
import dev.kiln.server.store.Build;
import dev.kiln.server.store.BuildStore;
import dev.kiln.server.store.StepRun;
import dev.kiln.spec.plan.BuildPlan;
import dev.kiln.spec.protocol.Lease;
import dev.kiln.spec.protocol.LeaseRequest;
import dev.kiln.spec.protocol.Status;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leases queued builds, whole, to agents whose labels fit; keeps leases alive by heartbeat and
 * ends the build of an agent that stops answering. Knows nothing of how steps run.
 */
public final class Scheduler implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Scheduler.class);
    /** How many agents may take a build and vanish before it started, before it ends INTERNAL_ERROR. */
    static final int MAX_LEASES = 3;

    private final BuildStore store;
    private final LogStore logs;
    private final BuildEvents events;
    private final Clock clock;
    private final Duration leaseTimeout;
    private final Duration heartbeat;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition workAvailable = lock.newCondition();
    private long generation;
    /** buildId -> leaseId for every WORKING build: checked on each agent call without a query. */
    private final Map<String, String> leases = new ConcurrentHashMap<>();
    private final Map<String, CountDownLatch> cancelSignals = new ConcurrentHashMap<>();
    /**
     * Builds leased by this process whose agent has not called back yet. Kept in memory on purpose:
     * after a restart nothing is in it, so an orphan is never run twice, only ended.
     */
    private final Set<String> unacknowledged = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService reaper = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "kiln-reaper");
        t.setDaemon(true);
        return t;
    });

    public Scheduler(BuildStore store, LogStore logs, BuildEvents events, Clock clock, Duration leaseTimeout, Duration heartbeat) {
        this.store = store;
        this.logs = logs;
        this.events = events;
        this.clock = clock;
        this.leaseTimeout = leaseTimeout;
        this.heartbeat = heartbeat;
    }

    /** Starts the reaper. Builds WORKING from before a restart keep their lease until it runs out. */
    public void start() {
        long now = clock.millis();
        for (Build b : store.leaseExpired(Long.MAX_VALUE)) {
            if (b.leaseId() != null) {
                leases.put(b.id(), b.leaseId());
                // A lease from before the restart gets a full timeout to be renewed by its agent.
                store.renew(b.id(), b.leaseId(), Math.max(b.leaseExpires() == null ? 0 : b.leaseExpires(),
                        now + leaseTimeout.toMillis()));
            }
        }
        long period = Math.max(100, Math.min(1_000, leaseTimeout.toMillis() / 10));
        reaper.scheduleWithFixedDelay(this::reap, period, period, TimeUnit.MILLISECONDS);
    }

    /** Wakes agents waiting for work. */
    public void enqueued() {
        lock.lock();
        try {
            generation++;
            workAvailable.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Long poll: the first queued build this agent may run, within {@code wait}. */
    public Optional<Lease> lease(LeaseRequest request, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            long seen;
            lock.lock();
            try {
                seen = generation;
            } finally {
                lock.unlock();
            }
            Optional<Lease> lease = tryClaim(request);
            if (lease.isPresent()) {
                return lease;
            }
            lock.lock();
            try {
                while (generation == seen) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return Optional.empty();
                    }
                    workAvailable.awaitNanos(left);
                }
            } finally {
                lock.unlock();
            }
        }
    }

    private Optional<Lease> tryClaim(LeaseRequest request) {
        for (Build b : store.queued()) {
            if (!request.labels().containsAll(b.labels())) {
                continue;
            }
            long now = clock.millis();
            if (b.queueTtlMillis() != null && b.createTime() + b.queueTtlMillis() < now) {
                expire(b);
                continue;
            }
            String leaseId = UUID.randomUUID().toString();
            if (store.claim(b.id(), request.agentId(), leaseId, now, now + leaseTimeout.toMillis())) {
                leases.put(b.id(), leaseId);
                unacknowledged.add(b.id());
                events.changed(b.id());
                return Optional.of(new Lease(b.id(), leaseId, plan(b), b.sourceDigest(), leaseTimeout.toMillis(),
                        heartbeat.toMillis()));
            }
        }
        return Optional.empty();
    }

    private static BuildPlan plan(Build b) {
        try {
            return Json.MAPPER.readValue(b.planJson(), BuildPlan.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored plan of build " + b.id() + " is unreadable", e);
        }
    }

    /** True when {@code leaseId} is the build's current lease; the call counts as the agent's sign of life. */
    public boolean holds(String buildId, String leaseId) {
        boolean held = leaseId != null && leaseId.equals(leases.get(buildId));
        if (held) {
            unacknowledged.remove(buildId);
        }
        return held;
    }

    /**
     * Renews a lease, then waits up to {@code wait} for a cancel request; true if one came.
     * Empty when the lease is no longer held.
     */
    public Optional<Boolean> heartbeat(String buildId, String leaseId, Duration wait) throws InterruptedException {
        if (!holds(buildId, leaseId) || !renew(buildId, leaseId)) {
            return Optional.empty();
        }
        CountDownLatch signal = cancelSignals.computeIfAbsent(buildId, k -> new CountDownLatch(1));
        boolean cancelled = signal.getCount() == 0 || store.get(buildId).map(Build::cancelRequested).orElse(false);
        if (!cancelled) {
            cancelled = signal.await(Math.min(wait.toMillis(), leaseTimeout.toMillis() / 2), TimeUnit.MILLISECONDS);
        }
        if (!holds(buildId, leaseId) || !renew(buildId, leaseId)) {
            return Optional.empty();
        }
        return Optional.of(cancelled);
    }

    private boolean renew(String buildId, String leaseId) {
        return store.renew(buildId, leaseId, clock.millis() + leaseTimeout.toMillis());
    }

    /** Asks for a build to stop: a queued one ends at once, a running one through its agent. */
    public void cancel(String buildId) {
        store.get(buildId).ifPresent(b -> {
            if (b.status() == Status.QUEUED || b.status() == Status.PENDING) {
                if (store.finish(buildId, null, Status.CANCELLED, "cancelled before it started", clock.millis(),
                        Status.CANCELLED, null)) {
                    events.changed(buildId);
                }
            } else if (b.status() == Status.WORKING) {
                store.requestCancel(buildId);
                cancelSignals.computeIfAbsent(buildId, k -> new CountDownLatch(1)).countDown();
            }
        });
    }

    /** The agent's report that the build ended. False if the lease was not held. */
    public boolean finished(String buildId, String leaseId, Status status, String detail) {
        if (!holds(buildId, leaseId)) {
            return false;
        }
        boolean done = store.finish(buildId, leaseId, status, detail, clock.millis(), Status.CANCELLED, "build ended");
        release(buildId);
        events.changed(buildId);
        return done;
    }

    private void release(String buildId) {
        leases.remove(buildId);
        unacknowledged.remove(buildId);
        cancelSignals.remove(buildId);
    }

    /** Ends the builds an agent holds, e.g. the embedded agent when the server stops. */
    public void abandon(String agentId, String why) {
        for (Build b : store.leasedTo(agentId)) {
            endWithoutAgent(b, why, why);
        }
    }

    /** Ends a build its agent will not finish: INTERNAL_ERROR, with the reason in each running step's log. */
    private boolean endWithoutAgent(Build b, String why, String stepDetail) {
        for (StepRun s : store.steps(b.id())) {
            if (s.status() == Status.WORKING) {
                try {
                    logs.appendNotice(b.id(), s.index(), "\n[kiln] " + why + "\n");
                } catch (IOException e) {
                    log.warn("build {}: could not note '{}' in the log: {}", b.id(), why, e.getMessage());
                }
            }
        }
        boolean ended = store.finish(b.id(), null, Status.INTERNAL_ERROR, why, clock.millis(), Status.INTERNAL_ERROR,
                stepDetail);
        release(b.id());
        events.changed(b.id());
        return ended;
    }

    void reap() {
        try {
            long now = clock.millis();
            for (Build b : store.leaseExpired(now)) {
                if (unacknowledged.contains(b.id()) && store.requeue(b.id(), MAX_LEASES)) {
                    // The agent took the build and never called back (it died while its lease request
                    // was answered): nothing can have run, so the build may simply run elsewhere.
                    log.warn("build {}: agent {} never started it; queued again", b.id(), b.agentId());
                    release(b.id());
                    events.changed(b.id());
                    enqueued();
                    continue;
                }
                String why = "agent lost: no heartbeat from " + b.agentId() + " for " + leaseTimeout.toSeconds() + "s";
                if (endWithoutAgent(b, why, "agent lost")) {
                    log.warn("build {}: {}", b.id(), why);
                }
            }
            for (Build b : store.queueExpired(now)) {
                expire(b);
            }
        } catch (RuntimeException e) {
            log.error("reaper failed", e);
        }
    }

    private void expire(Build b) {
        if (store.finish(b.id(), null, Status.EXPIRED, "waited longer than queueTtl " + b.queueTtlMillis() / 1000.0 + "s",
                clock.millis(), Status.SKIPPED, null)) {
            events.changed(b.id());
        }
    }

    @Override
    public void close() {
        reaper.shutdownNow();
    }
}
