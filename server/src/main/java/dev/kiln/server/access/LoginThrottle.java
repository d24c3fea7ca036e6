package dev.kiln.server.access;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Failed sign-ins, counted per user name and per client address over a sliding window: once a
 * name (or an address) has {@code limit} failures in the window, sign-ins for it are refused
 * without checking the password until the oldest of them leaves the window. A correct password
 * does not open a blocked name early: guessing must not get cheaper by luck. A success resets its
 * user name's count (not its address's, which may be a shared office address).
 */
public final class LoginThrottle {
    /** Failures of one user name before it waits. */
    public static final int PER_USER = 5;
    /** Failures from one address before it waits: higher, since many people may share one. */
    public static final int PER_ADDRESS = 20;
    public static final Duration WINDOW = Duration.ofMinutes(5);
    /** Beyond this many names and addresses, stale ones are dropped, so that random names cannot fill memory. */
    private static final int MAX_KEYS = 10_000;

    private final Map<String, Deque<Long>> failures = new HashMap<>();
    private final Clock clock;

    public LoginThrottle(Clock clock) {
        this.clock = clock;
    }

    /** When the next sign-in for {@code user} from {@code address} may be tried (epoch millis); 0 when now. */
    public synchronized long blockedUntil(String user, String address) {
        long now = clock.millis();
        return Math.max(until(userKey(user), PER_USER, now), until(addressKey(address), PER_ADDRESS, now));
    }

    public synchronized void failed(String user, String address) {
        long now = clock.millis();
        if (failures.size() > MAX_KEYS) {
            failures.values().removeIf(d -> d.isEmpty() || d.peekLast() <= now - WINDOW.toMillis());
        }
        add(userKey(user), PER_USER, now);
        add(addressKey(address), PER_ADDRESS, now);
    }

    public synchronized void succeeded(String user) {
        failures.remove(userKey(user));
    }

    /** How many names and addresses are tracked (for tests of its bound). */
    synchronized int size() {
        return failures.size();
    }

    private long until(String key, int limit, long now) {
        Deque<Long> d = failures.get(key);
        if (d == null) {
            return 0;
        }
        while (!d.isEmpty() && d.peekFirst() <= now - WINDOW.toMillis()) {
            d.pollFirst();
        }
        return d.size() < limit ? 0 : d.peekFirst() + WINDOW.toMillis();
    }

    private void add(String key, int limit, long now) {
        Deque<Long> d = failures.computeIfAbsent(key, k -> new ArrayDeque<>());
        d.addLast(now);
        while (d.size() > limit) {
            d.pollFirst();   // only the newest `limit` matter for when the block ends
        }
    }

    private static String userKey(String user) {
        return "user:" + (user == null ? "" : user.strip().toLowerCase(Locale.ROOT));
    }

    private static String addressKey(String address) {
        return "addr:" + (address == null ? "" : address);
    }
}
