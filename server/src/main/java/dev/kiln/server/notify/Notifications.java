package dev.kiln.server.notify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.server.git.Refusal;
import dev.kiln.server.secrets.Vault;
import dev.kiln.server.store.Database;
import dev.kiln.spec.api.DeliveryView;
import dev.kiln.spec.api.NotificationRequest;
import dev.kiln.spec.api.NotificationView;
import dev.kiln.spec.json.Json;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the hooks an admin configured of promotions and failing production builds. {@link #publish}
 * only writes one delivery row per matching hook and wakes the sender: the caller (a promotion
 * changing state) never waits for a receiver. The sender thread posts each delivery, signed, and
 * retries a failure on {@link #BACKOFF}; rows outlive a restart, so a pending delivery resumes.
 */
public final class Notifications implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Notifications.class);

    /** The waits after each failed attempt: 6 attempts over about 1 h 13 min, then the delivery gives up. */
    public static final List<Duration> BACKOFF = List.of(Duration.ofSeconds(10), Duration.ofSeconds(30),
            Duration.ofMinutes(2), Duration.ofMinutes(10), Duration.ofHours(1));
    public static final int MAX_ATTEMPTS = BACKOFF.size() + 1;
    /** How long the sender sleeps with nothing due: a bound, in case a clock jumps or a wake is missed. */
    private static final long IDLE_MILLIS = 15_000;
    /** Deliveries one pass sends before it looks again for sooner ones. */
    private static final int BATCH = 50;

    private final HookStore hooks;
    private final DeliveryStore deliveries;
    private final Sender sender = new Sender();
    private final Clock clock;
    private final Predicate<String> repoExists;
    // One pass at a time, whether the sender thread's or a test's: a delivery is never sent twice at once.
    private final ReentrantLock sending = new ReentrantLock();
    private final Object signal = new Object();
    private boolean woken;
    private volatile boolean running;
    private Thread thread;

    public Notifications(Database db, Vault vault, Clock clock, Predicate<String> repoExists) {
        this.hooks = new HookStore(db, vault, clock);
        this.deliveries = new DeliveryStore(db);
        this.clock = clock;
        this.repoExists = repoExists;
    }

    /**
     * Owes {@code event} of {@code repo} to every hook that wants it, and returns: delivery happens in
     * the background. {@code data} is sent as the body's {@code data} object (values Jackson can
     * write). Never throws: a promotion is not undone, nor its flow stopped, for its message. What
     * cannot be recorded (an event not in {@link Events#ALL}, data Jackson cannot write, the
     * database failing) is logged as an error.
     */
    public void publish(String event, String repo, Map<String, Object> data) {
        try {
            if (!Events.ALL.contains(event)) {
                throw new IllegalArgumentException("unknown event " + event + "; events are " + Events.ALL);
            }
            JsonNode tree = Json.MAPPER.valueToTree(data == null ? Map.of() : data);
            List<Hook> wanting = hooks.matching(event, repo);
            if (wanting.isEmpty()) {
                return;
            }
            Instant time = clock.instant();
            // The body is made once per delivery, with its id, and stored: every attempt sends the same bytes.
            deliveries.enqueue(wanting, event, repo, time.toEpochMilli(),
                    (hook, id) -> Messages.body(hook.slack(), id, event, repo, time, tree));
        } catch (RuntimeException e) {
            log.error("notification {} of repo {} not recorded: {}", event, repo, e.getMessage(), e);
            return;
        }
        wake();
    }

    /** Adds a hook; the view carries its secret, this once. */
    public NotificationView add(NotificationRequest request) {
        if (request == null) {
            throw Refusal.badRequest("send {\"url\": ..., \"slack\": false, \"events\": [...], \"repo\": ...}");
        }
        HookStore.Added a = hooks.add(request.url(), request.slack(), request.events(), request.repo(), repoExists);
        return view(a.hook(), a.secret());
    }

    /** Every hook, never a secret. */
    public List<NotificationView> list() {
        return hooks.list().stream().map(h -> view(h, null)).toList();
    }

    /** Removes hook {@code id}; what it was still owed ends GAVE_UP, saying so. */
    public Hook remove(String id) {
        long n = id(id);
        Hook hook = hooks.list().stream().filter(h -> h.id() == n).findFirst()
                .orElseThrow(() -> Refusal.notFound("no notification hook " + id + " (kiln notifications list shows them)"));
        hooks.remove(n);
        deliveries.giveUpHook(n, "the hook was removed");
        return hook;
    }

    /** The newest {@code limit} deliveries with their attempts. */
    public List<DeliveryView> deliveries(int limit) {
        return deliveries.recent(limit);
    }

    /**
     * Makes every attempt due now, by the clock: what the sender thread runs, and what a test runs
     * after moving its clock. Returns how many attempts it made.
     */
    public int deliverDue() throws InterruptedException {
        sending.lock();
        try {
            int made = 0;
            List<DeliveryStore.Due> due;
            do {
                due = deliveries.due(clock.millis(), BATCH);
                for (DeliveryStore.Due d : due) {
                    attempt(d);
                    made++;
                }
            } while (due.size() == BATCH);
            return made;
        } finally {
            sending.unlock();
        }
    }

    private void attempt(DeliveryStore.Due d) throws InterruptedException {
        Optional<Hook> hook = hooks.list().stream().filter(h -> h.id() == d.hookId()).findFirst();
        Optional<String> secret = hooks.secret(d.hookId());
        if (hook.isEmpty() || secret.isEmpty()) {
            deliveries.giveUp(d.id(), "the hook was removed");
            return;
        }
        long at = clock.millis();
        int n = d.attempts() + 1;
        Sender.Outcome o = sender.send(hook.get().url(), d.id(), d.event(), d.body(), secret.get());
        if (o.delivered()) {
            deliveries.record(d.id(), n, at, o.status(), null, DeliveryStore.DELIVERED, null);
        } else if (n >= MAX_ATTEMPTS) {
            deliveries.record(d.id(), n, at, o.status(), o.error(), DeliveryStore.GAVE_UP, null);
            log.warn("notification {} to hook {} gave up after {} attempts: {}", d.id(), d.hookId(), n,
                    o.status() != null ? "HTTP " + o.status() : o.error());
        } else {
            // From the attempt's start: the schedule stays as documented however long a receiver took to fail.
            deliveries.record(d.id(), n, at, o.status(), o.error(), DeliveryStore.PENDING, at + BACKOFF.get(n - 1).toMillis());
        }
    }

    /** Starts the sender thread; it first sends whatever a previous run left pending. */
    public synchronized Notifications start() {
        if (thread == null) {
            running = true;
            thread = new Thread(this::run, "kiln-notifications");
            thread.setDaemon(true);
            thread.start();
        }
        return this;
    }

    private void run() {
        while (running) {
            try {
                deliverDue();
                long wait = deliveries.nextDue().map(t -> t - clock.millis()).orElse(IDLE_MILLIS);
                synchronized (signal) {
                    if (!woken && running && wait > 0) {
                        signal.wait(Math.min(wait, IDLE_MILLIS));
                    }
                    woken = false;
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.error("notifications: a delivery pass failed; trying again shortly", e);
                try {
                    synchronized (signal) {
                        signal.wait(IDLE_MILLIS);
                    }
                } catch (InterruptedException stop) {
                    return;
                }
            }
        }
    }

    private void wake() {
        synchronized (signal) {
            woken = true;
            signal.notifyAll();
        }
    }

    @Override
    public synchronized void close() {
        running = false;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            thread = null;
        }
    }

    private static long id(String id) {
        try {
            return Long.parseLong(id);
        } catch (NumberFormatException e) {
            throw Refusal.notFound("no notification hook " + id + " (ids are numbers: kiln notifications list shows them)");
        }
    }

    private static NotificationView view(Hook h, String secret) {
        return new NotificationView(h.id(), h.url(), h.slack(), h.events(), h.repo(), Instant.ofEpochMilli(h.createTime()), secret);
    }
}
