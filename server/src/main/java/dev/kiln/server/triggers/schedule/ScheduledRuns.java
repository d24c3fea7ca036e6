package dev.kiln.server.triggers.schedule;

import dev.kiln.server.triggers.Trigger;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs scheduled triggers at their cron ticks. {@link #tick(Instant)} is the whole logic, driven by
 * a one-thread timer every second in the server and by hand in tests. A trigger's first tick is the
 * first one after this object first sees it (the server's start, or the trigger's creation): a tick
 * missed while the server was down is skipped, as Cloud Scheduler never runs a job for a time it
 * was not there; the next tick runs as usual. Several ticks passed between two calls run once.
 */
public final class ScheduledRuns implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ScheduledRuns.class);

    private final Supplier<List<Trigger>> triggers;
    private final BiConsumer<Trigger, Instant> run;
    private final Clock clock;
    /** Next tick of each scheduled trigger, keyed by name and expression (a trigger re-created with another schedule starts afresh). */
    private final Map<String, Instant> next = new HashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "kiln-schedule");
        t.setDaemon(true);
        return t;
    });

    /** {@code run} builds a trigger's scheduled run for the tick it is given; it is called on the ticking thread. */
    public ScheduledRuns(Supplier<List<Trigger>> triggers, BiConsumer<Trigger, Instant> run, Clock clock) {
        this.triggers = triggers;
        this.run = run;
        this.clock = clock;
    }

    /** Starts ticking every second on the server's clock; the first tick only notes each trigger's next run. */
    public ScheduledRuns start() {
        timer.scheduleWithFixedDelay(() -> {
            try {
                tick(clock.instant());
            } catch (RuntimeException e) {
                log.error("scheduled triggers: tick failed", e);
            }
        }, 0, 1, TimeUnit.SECONDS);
        return this;
    }

    /** Runs every enabled scheduled trigger whose next tick is at or before {@code now}; returns how many ran. */
    public synchronized int tick(Instant now) {
        int ran = 0;
        Set<String> seen = new HashSet<>();
        for (Trigger t : triggers.get()) {
            if (t.schedule() == null || !t.enabled()) {
                continue;
            }
            String key = t.name() + "\n" + t.schedule();
            seen.add(key);
            Cron cron;
            try {
                cron = Cron.parse(t.schedule());
            } catch (IllegalArgumentException e) {
                continue;   // refused at creation; nothing stored can get here
            }
            Instant due = next.get(key);
            if (due == null) {
                cron.next(now).ifPresent(n -> next.put(key, n));
                continue;
            }
            if (due.isAfter(now)) {
                continue;
            }
            try {
                run.accept(t, due);
                ran++;
            } catch (RuntimeException e) {
                log.error("scheduled run of trigger {} for {} failed", t.name(), due, e);
            }
            Instant after = cron.next(now).orElse(null);
            if (after == null) {
                next.remove(key);
            } else {
                next.put(key, after);
            }
        }
        next.keySet().retainAll(seen);   // deleted or disabled: a trigger enabled again starts from its next tick
        return ran;
    }

    /** The next tick noted for {@code t}, if it has been seen. */
    public synchronized java.util.Optional<Instant> nextRun(Trigger t) {
        return java.util.Optional.ofNullable(next.get(t.name() + "\n" + t.schedule()));
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
