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
import java.util.List;
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
 * Polls mirrored repos. A tick (every {@value #TICK_MILLIS} ms) hands each repo that is due, and not being polled
 * already, to one bounded pool shared by all repos; a poll is one {@code ls-remote} compared with
 * the mirror, and a fetch of only the refs that differ, whose moves go to the {@link RefListener}
 * with cause {@code poll}. A repo fetched since its last poll (by a webhook) is due an interval
 * after that fetch. Each read from a remote has a timeout, so a slow or dead remote holds one
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
    /** How often due repos are looked for: a repo is polled at most this late (a 1 s interval stays near 1 s). */
    static final long TICK_MILLIS = 200;
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
    /** When this poller last finished polling each repo: a success recorded later was someone else's fetch. */
    private final Map<String, Long> polledAt = new ConcurrentHashMap<>();
    private ScheduledExecutorService pool;

    public Poller(Repos repos, RefListener listener, Clock clock, Backoff backoff, int timeoutSeconds) {
        this.repos = repos;
        this.listener = listener;
        this.clock = clock;
        this.backoff = backoff;
        this.timeoutSeconds = timeoutSeconds;
    }

    /** Starts ticking on its own pool of {@link #THREADS} daemon threads. */
    public synchronized void start() {
        AtomicInteger n = new AtomicInteger();
        ScheduledThreadPoolExecutor p = new ScheduledThreadPoolExecutor(THREADS, r -> {
            Thread t = new Thread(r, "kiln-poll-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        p.setRemoveOnCancelPolicy(true);
        pool = p;
        pool.scheduleWithFixedDelay(() -> tick(pool), TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
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
                // A webhook (or a manual run) that fetched since this poller's last poll of the repo counts
                // as a poll: no ls-remote right after it.
                Long own = polledAt.get(r.name());
                long fetched = r.lastSuccessTime() != null && (own == null || r.lastSuccessTime() > own)
                        ? r.lastSuccessTime() + r.pollInterval().toMillis() : 0;
                State s = states.compute(r.name(), (k, old) -> {
                    State known = old != null ? old : new State(first, 0, false);
                    State cur = !known.running() && known.failures() == 0 && fetched > known.nextDue()
                            ? new State(fetched, 0, false) : known;
                    return !cur.running() && cur.nextDue() <= now ? new State(cur.nextDue(), cur.failures(), true) : cur;
                });
                if (s.running() && s.nextDue() <= now) {
                    work.execute(() -> poll(r));
                }
            }
            states.keySet().retainAll(seen);
            polledAt.keySet().retainAll(seen);
        } catch (RuntimeException e) {
            log.error("polling tick failed; the next tick tries again", e);   // a tick must never kill the ticker
        }
    }

    /** Polls one repo now, on the calling thread: ls-remote, a fetch if anything differs, its moves built. */
    void poll(Repo r) {
        int failures = states.getOrDefault(r.name(), new State(0, 0, true)).failures();
        long start = clock.millis();
        boolean ok = false;
        try {
            Map<String, String> remote = repos.remoteRefs(r.name(), timeoutSeconds);
            Map<String, String> local = repos.localRefs(r.name());
            if (remote.equals(local)) {
                repos.polledUnchanged(r.name());
            } else {
                // Only the refs the ls-remote saw move are fetched; a deletion fetches all, which mirrors it.
                List<String> changed = remote.entrySet().stream().filter(e -> !e.getValue().equals(local.get(e.getKey())))
                        .map(Map.Entry::getKey).toList();
                boolean deleted = !remote.keySet().containsAll(local.keySet());
                repos.fetchRefs(r.name(), deleted ? List.of() : changed, Provenance.Cause.POLL, listener, Repos.Fetched::build);
            }
            ok = true;
        } catch (Refusal gone) {
            states.remove(r.name());   // deleted since the tick
            return;
        } catch (IOException | RuntimeException e) {
            log.warn("polling {} failed ({} in a row): {}", r.name(), failures + 1, e.getMessage());
        }
        int f = ok ? 0 : failures + 1;
        // An interval from the poll's start, so that polling every 1 s means every 1 s; but a poll slower
        // than its interval waits half an interval after it ends, leaving the pool to the other repos.
        long delay = backoff.delay(r.pollInterval(), f).toMillis();
        long next = Math.max(start + delay, clock.millis() + delay / 2);
        polledAt.put(r.name(), clock.millis());
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
