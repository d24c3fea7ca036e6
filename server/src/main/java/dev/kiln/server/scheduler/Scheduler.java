package dev.kiln.server.scheduler;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.kiln.spec.json.Json;
import dev.kiln.server.events.BuildEvents;
import dev.kiln.server.logs.LogStore;
import dev.kiln.server.metrics.ServerMetrics;
import dev.kiln.server.store.Approval;
import dev.kiln.server.store.Build;
import dev.kiln.server.store.BuildStore;
import dev.kiln.server.store.StepRun;
import dev.kiln.server.store.Transition;
import dev.kiln.spec.plan.BuildPlan;
import dev.kiln.spec.protocol.Lease;
import dev.kiln.spec.protocol.LeaseLostException;
import dev.kiln.spec.protocol.LeaseRequest;
import dev.kiln.spec.protocol.Status;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leases queued builds, whole, to agents whose labels fit; keeps leases alive by heartbeat; ends
 * the build of an agent that stops answering or overruns its timeout. Every move is one of the
 * store's {@link Transition}s, made as a compare-and-set, and every end releases the lease.
 * Knows nothing of how steps run.
 */
public final class Scheduler implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Scheduler.class);
    /** How many agents may take a build and vanish before it started, before it ends INTERNAL_ERROR. */
    static final int MAX_LEASES = 3;
    /** How many times a cancel retries when the build moves under it (QUEUED -> WORKING -> QUEUED ...). */
    private static final int CANCEL_TRIES = 5;

    private final BuildStore store;
    private final LogStore logs;
    private final BuildEvents events;
    private final Clock clock;
    private final ServerMetrics metrics;
    private final Duration leaseTimeout;
    private final Duration heartbeat;
    /** Past its timeout by this much, a build is ended by the server: its agent should have ended it. */
    private final Duration timeoutGrace;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition workAvailable = lock.newCondition();
    private long generation;
    /**
     * Leases handed out. After a restart only those of WORKING builds are put back, acknowledged:
     * an orphan of the old process is then ended, never run twice.
     */
    private final Leases leases = new Leases();
    /** Agents that said goodbye (id -> when): their waiting lease requests return empty, and no new one is served. */
    private final Map<String, Long> departed = new java.util.concurrent.ConcurrentHashMap<>();
    private final AgentRoster roster = new AgentRoster();
    /** Agents (by the id they poll under) that get no work: disabled ones. */
    private volatile java.util.function.Predicate<String> refused = id -> false;
    /** Told of every move that ended or requeued a build: the stress test counts them. */
    private volatile java.util.function.BiConsumer<String, Transition> onEnd = (id, t) -> {};
    /** Test seam: runs with the build id as an end is about to write its notice into the logs. */
    volatile java.util.function.Consumer<String> beforeNotice = id -> {};
    private final ScheduledExecutorService reaper = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "kiln-reaper");
        t.setDaemon(true);
        return t;
    });

    public Scheduler(BuildStore store, LogStore logs, BuildEvents events, Clock clock, Duration leaseTimeout, Duration heartbeat,
                     ServerMetrics metrics) {
        this.metrics = metrics;
        this.store = store;
        this.logs = logs;
        this.events = events;
        this.clock = clock;
        this.leaseTimeout = leaseTimeout;
        this.heartbeat = heartbeat;
        this.timeoutGrace = leaseTimeout;
    }

    /** Takes back the leases from before a restart, then starts the reaper. */
    public void start() {
        resume();
        long period = Math.max(100, Math.min(1_000, leaseTimeout.toMillis() / 10));
        reaper.scheduleWithFixedDelay(this::reap, period, period, TimeUnit.MILLISECONDS);
    }

    /** Builds WORKING from before a restart keep their lease, with a full timeout to renew it. */
    void resume() {
        long now = clock.millis();
        for (Build b : store.working()) {
            if (b.leaseId() != null && store.resume(b.id(), b.leaseId(), now + leaseTimeout.toMillis())) {
                leases.put(b.id(), b.leaseId(), b.agentId(), true);
            }
        }
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
        roster.saw(request, clock.millis());
        boolean woken = false;
        while (true) {
            if (departed.containsKey(request.agentId()) || woken && refused.test(request.agentId())) {
                return Optional.empty();
            }
            long seen;
            lock.lock();
            try {
                seen = generation;
            } finally {
                lock.unlock();
            }
            // A refused (disabled) agent's poll waits like one with no work, and ends when woken (by its disabling).
            Optional<Lease> lease = refused.test(request.agentId()) ? Optional.empty() : tryClaim(request);
            if (lease.isPresent() && refused.test(request.agentId())) {
                // Disabled as it claimed: the disabling's sweep of its builds may have missed this one.
                abandon(request.agentId(), "its agent was disabled as it took this build");
                return Optional.empty();
            }
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
            woken = true;
        }
    }

    /**
     * An agent is stopping. Its lease request may still wait here after the agent is gone (nothing
     * tells the server a connection closed until it writes to it): wake it, empty, so that the next
     * build goes to an agent that is there instead of waiting out a lease timeout.
     */
    public void goodbye(String agentId) {
        departed.put(agentId, clock.millis());
        roster.forget(agentId);
        enqueued();
    }

    /** Which agents, by the id they poll under, get no work (disabled ones); asked before and after each claim. */
    public void refuse(java.util.function.Predicate<String> agents) {
        this.refused = agents;
    }

    private Optional<Lease> tryClaim(LeaseRequest request) {
        for (Build b : store.queued()) {
            if (!request.labels().containsAll(b.labels())) {
                continue;
            }
            long now = clock.millis();
            if (b.queueTtlMillis() != null && b.queueStart() + b.queueTtlMillis() < now) {
                expire(b.id(), b.queueTtlMillis(), now);
                continue;
            }
            String leaseId = UUID.randomUUID().toString();
            // Under the build's lock, so that no end (a reaper with a fast clock) slips in before the lease is known.
            boolean claimed = leases.ending(b.id(), () -> {
                boolean c = store.claim(b.id(), request.agentId(), leaseId, now, now + leaseTimeout.toMillis());
                if (c) {
                    leases.put(b.id(), leaseId, request.agentId(), false);
                }
                return c;
            });
            if (claimed) {
                metrics.leased(now - b.queueStart());
                events.moved(b.id(), Status.WORKING);
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

    /**
     * Agents that asked for work within {@code within}, or that still hold a lease (a busy agent
     * may not poll), by id. A busy agent's last sign of life is its latest lease renewal.
     */
    public List<AgentRoster.Seen> agents(Duration within) {
        return roster.list(within, store.working(), leaseTimeout, clock.millis());
    }

    /** True when {@code leaseId} is the build's current lease; the call counts as the agent's sign of life. */
    public boolean holds(String buildId, String leaseId) {
        return leases.holder(buildId, leaseId) != null;
    }

    /** The id the agent holding the build's current lease polled under; empty when no lease is held. */
    public Optional<String> leaseHolder(String buildId) {
        Leases.Held h = leases.get(buildId);
        return h == null ? Optional.empty() : Optional.ofNullable(h.agentId);
    }

    /** Runs an agent's report while its lease is held: no end of the build can come in between. */
    public void whileHeld(String buildId, String leaseId, Leases.IoAction report) throws IOException {
        leases.whileHeld(buildId, leaseId, report, () -> lost(buildId));
    }

    public static LeaseLostException lost(String buildId) {
        return new LeaseLostException("build " + buildId + " is not leased to this agent (it ended, or the lease expired)");
    }

    /**
     * Renews a lease, then waits up to {@code wait} for a cancel request; true if one came.
     * Empty when the lease is no longer held (ended, or expired before this renewal).
     */
    public Optional<Boolean> heartbeat(String buildId, String leaseId, Duration wait) throws InterruptedException {
        Leases.Held held = leases.holder(buildId, leaseId);
        if (held == null || !renew(buildId, leaseId)) {
            return Optional.empty();
        }
        boolean cancelled = held.cancel.getCount() == 0 || store.get(buildId).map(Build::cancelRequested).orElse(false);
        if (!cancelled) {
            cancelled = held.cancel.await(Math.min(wait.toMillis(), leaseTimeout.toMillis() / 2), TimeUnit.MILLISECONDS);
        }
        if (leases.holder(buildId, leaseId) == null || !renew(buildId, leaseId)) {
            return Optional.empty();
        }
        return Optional.of(cancelled);
    }

    private boolean renew(String buildId, String leaseId) {
        long now = clock.millis();
        return store.renew(buildId, leaseId, now, now + leaseTimeout.toMillis());
    }

    /**
     * Asks for a build to stop: a queued one ends at once, a running one through its agent. True if
     * this call ended it or passed the request on; false if it had ended already.
     */
    /** The status detail of a build cancelled while it waited for approval (so no decision is recorded). */
    public static final String CANCELLED_PENDING = "cancelled while waiting for approval";

    public boolean cancel(String buildId) {
        for (int i = 0; i < CANCEL_TRIES; i++) {
            if (end(buildId, Transition.CANCEL_PENDING, null, Map.of(), new BuildStore.End(Status.CANCELLED,
                    CANCELLED_PENDING, Status.CANCELLED, null), null)) {
                return true;
            }
            if (end(buildId, Transition.CANCEL_QUEUED, null, Map.of(), new BuildStore.End(Status.CANCELLED,
                    "cancelled before it started", Status.CANCELLED, null), null)) {
                return true;
            }
            if (store.requestCancel(buildId)) {
                Leases.Held held = leases.get(buildId);
                if (held != null) {
                    held.cancel.countDown();
                }
                return true;
            }
            Optional<Build> b = store.get(buildId);
            if (b.isEmpty() || b.get().status().isFinal()) {
                return false;
            }
        }
        log.warn("build {}: could not cancel it, it kept moving", buildId);
        return false;
    }

    /** How an approver's decision on a build went. */
    public enum Decided { DONE, NOT_PENDING, NO_BUILD }

    /** {@link Transition#APPROVE}: the pending build enters the queue and agents are woken. */
    public Decided approve(String buildId, Approval approval) {
        Optional<Build> b = store.get(buildId);
        if (b.isEmpty()) {
            return Decided.NO_BUILD;
        }
        if (!store.approve(buildId, approval, Build.waitingFor(b.get().labels()))) {
            return Decided.NOT_PENDING;
        }
        events.moved(buildId, Status.QUEUED);
        events.changed(buildId);
        enqueued();
        return Decided.DONE;
    }

    /** {@link Transition#REJECT}: the pending build ends CANCELLED, nothing run. */
    public Decided reject(String buildId, Approval approval) {
        if (store.get(buildId).isEmpty()) {
            return Decided.NO_BUILD;
        }
        String why = "rejected by " + approval.approver() + (approval.comment() == null ? "" : ": " + approval.comment());
        if (!store.reject(buildId, approval, why)) {
            return Decided.NOT_PENDING;
        }
        onEnd.accept(buildId, Transition.REJECT);
        events.moved(buildId, Status.CANCELLED);
        events.changed(buildId);
        return Decided.DONE;
    }

    /** The agent's report that the build ended. False if its lease was not held. */
    public boolean finished(String buildId, String leaseId, Status status, String detail) {
        if (!holds(buildId, leaseId)) {
            return false;
        }
        return end(buildId, Transition.AGENT_END, leaseId, Map.of("lease", leaseId),
                new BuildStore.End(status, detail, Status.CANCELLED, "build ended"), null);
    }

    /** Ends the builds an agent holds, e.g. the embedded agent when the server stops. */
    public void abandon(String agentId, String why) {
        for (Build b : store.leasedTo(agentId)) {
            end(b.id(), Transition.ABANDON, b.leaseId(), Map.of("lease", b.leaseId()),
                    new BuildStore.End(Status.INTERNAL_ERROR, why, Status.INTERNAL_ERROR, why), why);
        }
    }

    /**
     * Makes one ending move under the build's lock: if its guard holds, the lease is released and
     * each step that was running gets {@code notice} at the end of its log. The notice is written
     * once the guard held but before the end commits (so a build another actor ended first gets no
     * stray line), and so before any reader can see the build ended: a stream that sends its end
     * has the notice in the log sizes it read after. True if this move ended the build.
     */
    private boolean end(String buildId, Transition t, String leaseId, Map<String, Object> binds, BuildStore.End end,
                        String notice) {
        java.util.function.Consumer<List<StepRun>> note = notice == null ? r -> { } : r -> {
            beforeNotice.accept(buildId);
            for (StepRun s : r) {
                try {
                    logs.appendNotice(buildId, s.index(), "\n[kiln] " + notice + "\n");
                } catch (IOException e) {
                    log.warn("build {}: could not note '{}' in the log: {}", buildId, notice, e.getMessage());
                }
            }
        };
        Optional<List<StepRun>> running = leases.ending(buildId, () -> {
            Optional<List<StepRun>> r = store.end(buildId, t, binds, end, clock.millis(), note);
            if (r.isPresent() && leaseId != null) {
                leases.release(buildId, leaseId);
            }
            return r;
        });
        if (running.isPresent()) {
            onEnd.accept(buildId, t);
            store.get(buildId).filter(b -> b.startTime() != null && b.finishTime() != null)
                    .ifPresent(b -> metrics.buildEnded(b.status(), b.startTime(), b.finishTime()));
            events.moved(buildId, end.status());
            events.changed(buildId);
        }
        return running.isPresent();
    }

    void reap() {
        try {
            long now = clock.millis();
            for (Build b : store.leaseExpired(now)) {
                reapLost(b, now);
            }
            for (Build b : store.overdue(now, timeoutGrace.toMillis())) {
                endOverdue(b, now);
            }
            for (Build b : store.queueExpired(now)) {
                expire(b.id(), b.queueTtlMillis(), now);
            }
            // An agent id is never used again; remember the departed only as long as a poll of theirs can wait.
            departed.values().removeIf(t -> t < now - 600_000);
        } catch (RuntimeException e) {
            log.error("reaper failed", e);
        }
    }

    /** A build whose lease ran out, as the reaper saw it at {@code now}; nothing happens if it moved since. */
    boolean reapLost(Build b, long now) {
        Leases.Held held = leases.get(b.id());
        if (held != null && held.leaseId.equals(b.leaseId()) && !held.acknowledged) {
            boolean requeued = leases.ending(b.id(), () -> {
                boolean r = store.requeue(b.id(), b.leaseId(), now, MAX_LEASES, Build.waitingFor(b.labels()));
                if (r) {
                    leases.release(b.id(), b.leaseId());
                }
                return r;
            });
            if (requeued) {
                onEnd.accept(b.id(), Transition.REQUEUE);
                // The agent took the build and never called back (it died while its lease request
                // was answered): nothing can have run, so the build may simply run elsewhere.
                log.warn("build {}: agent {} never started it; queued again", b.id(), b.agentId());
                events.changed(b.id());
                enqueued();
                return true;
            }
        }
        String why = "agent lost: no heartbeat from " + b.agentId() + " for " + leaseTimeout.toSeconds() + "s";
        boolean ended = end(b.id(), Transition.LOST, b.leaseId(), Map.of("lease", b.leaseId(), "now", now),
                new BuildStore.End(Status.INTERNAL_ERROR, why, Status.INTERNAL_ERROR, "agent lost"), why);
        if (ended) {
            log.warn("build {}: {}", b.id(), why);
        }
        return ended;
    }

    /** A build past its timeout and grace, as the reaper saw it; its agent learns by losing the lease. */
    boolean endOverdue(Build b, long now) {
        String why = "build timed out after " + dev.kiln.spec.config.Durations.format(Duration.ofMillis(b.timeoutMillis()))
                + "; ended by the server, as its agent did not end it within " + timeoutGrace.toSeconds() + "s more";
        boolean ended = end(b.id(), Transition.OVERDUE, b.leaseId(),
                Map.of("lease", b.leaseId(), "now", now, "grace", timeoutGrace.toMillis()),
                new BuildStore.End(Status.TIMEOUT, why, Status.TIMEOUT, "build timed out"), why);
        if (ended) {
            log.warn("build {}: {}", b.id(), why);
        }
        return ended;
    }

    /** Ends a build that waited in the queue past its queueTtl; nothing happens if an agent took it meanwhile. */
    boolean expire(String buildId, long ttlMillis, long now) {
        return end(buildId, Transition.EXPIRE, null, Map.of("now", now), new BuildStore.End(Status.EXPIRED,
                "waited longer than queueTtl " + ttlMillis / 1000.0 + "s", Status.SKIPPED, null), null);
    }

    void onEnd(java.util.function.BiConsumer<String, Transition> listener) {
        this.onEnd = listener;
    }

    /** Leases held in memory: for tests, which check that no end leaves one behind. */
    int heldLeases() {
        return leases.size();
    }

    @Override
    public void close() {
        reaper.shutdownNow();
    }
}
