package dev.kiln.server.web;

/**
 * A live feed's wake-up: set by {@code BuildEvents} from any thread, taken by the feed. Taking it
 * clears it in the same step, and the feed takes it <em>before</em> it reads the store: a change
 * that lands while the feed reads or sends keeps it set for the next round, so none is lost
 * between a read and a wait.
 */
final class Signal {
    private boolean set;
    private boolean closed;
    /** When it was last set from clear, in nanoseconds. */
    private long setAt;

    synchronized void set() {
        if (!set) {
            set = true;
            setAt = System.nanoTime();
        }
        notifyAll();
    }

    /** Wakes {@link #take} for good: the client has gone. */
    synchronized void close() {
        closed = true;
        notifyAll();
    }

    synchronized boolean isSet() {
        return set;
    }

    /**
     * Waits up to {@code millis} to be set, then until {@code gatherMillis} after it was set (more
     * changes then make one round), and clears it. True if it was set.
     */
    synchronized boolean take(long millis, long gatherMillis) throws InterruptedException {
        long until = System.nanoTime() + millis * 1_000_000;
        for (long left = until - System.nanoTime(); !closed && !set && left > 0; left = until - System.nanoTime()) {
            wait(Math.max(1, left / 1_000_000));
        }
        if (set) {
            long gathered = setAt + gatherMillis * 1_000_000;
            for (long left = gathered - System.nanoTime(); !closed && left > 0; left = gathered - System.nanoTime()) {
                wait(left / 1_000_000, (int) (left % 1_000_000));
            }
        }
        boolean was = set;
        set = false;
        return was;
    }
}
