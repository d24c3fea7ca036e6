package dev.kiln.server.git.poll;

import dev.kiln.server.git.RefListener;
import dev.kiln.server.git.Refusal;
import dev.kiln.server.git.Repo;
import dev.kiln.server.git.Repos;
import dev.kiln.server.store.Provenance;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls mirrored repos. A tick (once a second) hands each repo that is due, and not being polled
 * already, to one bounded pool shared by all repos; a poll is one {@code ls-remote} compared with
 * the mirror, and a fetch only when a ref differs, whose moves go to the {@link RefListener} with
 * cause {@code poll}. Each read from a remote has a timeout, so a slow or dead remote holds one
 * pool thread for at most that long while the others keep polling. Failures back off
 * ({@link Backoff}); the repo's row keeps the error and the time of the last success.
 *
 * <p>Thread-safety: {@link #tick} and {@link #poll} may run on any threads; a repo's state is
 * changed only through the concurrent map, and a repo is polled by one thread at a time.
 */
public final class Poller implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Poller.class);
    /** Threads shared by all repos' polls: a few slow remotes cannot take them all for long. */
    public static final int THREADS = 4;
    /** Each read from a remote (ls-remote) gives up after this long. */
    public static final int REMOTE_TIMEOUT_SECONDS = 20;

    /** A repo's polling state: when it is due, failures in a row, and whether a poll is running. */
    public record State(long nextDue, int failures, boolean running) {}

    private final Repos repos;
    private final RefListener listener;
    private final Clock clock;
    private final Backoff backoff;
    private final int timeoutSeconds;
    private final Map<String, State> states = new ConcurrentHashMap<>();
    private ScheduledExecutorService pool;

    public Poller(Repos repos, RefListener listener, Clock clock, Backoff backoff, int timeoutSeconds) {
        this.repos = repos;
        this.listener = listener;
        this.clock = clock;
        this.backoff = backoff;
        this.timeoutSeconds = timeoutSeconds;
    }

    /** Starts ticking every second on its own pool of {@link #THREADS} daemon threads. */
    public synchronized void start() {
        AtomicInteger n = new AtomicInteger();
        ScheduledThreadPoolExecutor p = new ScheduledThreadPoolExecutor(THREADS, r -> {
            Thread t = new Thread(r, "kiln-poll-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        p.setRemoveOnCancelPolicy(true);
        pool = p;
        pool.scheduleWithFixedDelay(() -> tick(pool), 1, 1, TimeUnit.SECONDS);
    }

    /**
     * Hands every mirrored repo that is due to {@code work}; forgets repos deleted since. A repo seen
     * for the first time is due one interval after its last poll (its first fetch was at creation).
     */
    public void tick(Executor work) {
        try {
            long now = clock.millis();
            Set<String> seen = new HashSet<>();
            for (Repo r : repos.list()) {
                if (r.kind() != Repo.Kind.MIRRORED || r.pollInterval() == null) {
                    continue;
                }
                seen.add(r.name());
                long first = (r.lastPollTime() != null ? r.lastPollTime() : r.createTime()) + r.pollInterval().toMillis();
                State s = states.compute(r.name(), (k, old) -> {
                    State cur = old != null ? old : new State(first, 0, false);
                    return !cur.running() && cur.nextDue() <= now ? new State(cur.nextDue(), cur.failures(), true) : cur;
                });
                if (s.running() && s.nextDue() <= now) {
                    work.execute(() -> poll(r));
                }
            }
            states.keySet().retainAll(seen);
        } catch (RuntimeException e) {
            log.error("polling tick failed; the next tick tries again", e);   // a tick must never kill the ticker
        }
    }

    /** Polls one repo now, on the calling thread: ls-remote, a fetch if anything differs, its moves built. */
    void poll(Repo r) {
        int failures = states.getOrDefault(r.name(), new State(0, 0, true)).failures();
        boolean ok = false;
        try {
            Map<String, String> remote = repos.remoteRefs(r.name(), timeoutSeconds);
            if (remote.equals(repos.localRefs(r.name()))) {
                repos.polledUnchanged(r.name());
            } else {
                repos.fetch(r.name(), Provenance.Cause.POLL, listener).build();
            }
            ok = true;
        } catch (Refusal gone) {
            states.remove(r.name());   // deleted since the tick
            return;
        } catch (IOException | RuntimeException e) {
            log.warn("polling {} failed ({} in a row): {}", r.name(), failures + 1, e.getMessage());
        }
        int f = ok ? 0 : failures + 1;
        long next = clock.millis() + backoff.delay(r.pollInterval(), f).toMillis();
        states.put(r.name(), new State(next, f, false));
    }

    /** When {@code repo} is polled next and its failures in a row; empty before its first tick. */
    public Optional<State> state(String repo) {
        return Optional.ofNullable(states.get(repo));
    }

    /** When {@code repo} is polled next, if known. */
    public Instant nextPoll(String repo) {
        State s = states.get(repo);
        return s == null ? null : Instant.ofEpochMilli(s.nextDue());
    }

    @Override
    public synchronized void close() {
        if (pool != null) {
            pool.shutdownNow();
            try {
                pool.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
