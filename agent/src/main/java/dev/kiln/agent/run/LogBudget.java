package dev.kiln.agent.run;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A build's log cap, shared by its steps: the first {@code head} bytes are kept as they come; past
 * that each step keeps only its last {@code tail} bytes, written after a notice of what was left out.
 */
final class LogBudget {
    static final long DEFAULT_CAP = 1L << 30;

    private final long head;
    private final int tail;
    private final AtomicLong used = new AtomicLong();

    LogBudget(long cap) {
        this.tail = (int) Math.min(cap / 2, 16L << 20);
        this.head = cap - tail;
    }

    /** How many of {@code len} more bytes may still go to the head part. */
    int claim(int len) {
        while (true) {
            long u = used.get();
            long free = Math.max(0, head - u);
            int granted = (int) Math.min(free, len);
            if (granted == 0 || used.compareAndSet(u, u + granted)) {
                return granted;
            }
        }
    }

    int tailSize() {
        return tail;
    }
}
