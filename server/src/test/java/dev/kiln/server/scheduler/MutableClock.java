package dev.kiln.server.scheduler;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/** A clock the test moves: leases, timeouts and queue TTLs expire exactly when the test says. */
public final class MutableClock extends Clock {
    private final AtomicLong millis;

    public MutableClock(long start) {
        this.millis = new AtomicLong(start);
    }

    public void set(long t) {
        millis.set(t);
    }

    public void advance(long by) {
        millis.addAndGet(by);
    }

    @Override
    public long millis() {
        return millis.get();
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
