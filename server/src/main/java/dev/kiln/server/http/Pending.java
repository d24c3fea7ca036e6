package dev.kiln.server.http;

import dev.kiln.server.events.BuildEvents.Part;
import java.util.BitSet;

/**
 * The changes to one build that a stream has not looked at yet. Taking them empties the set in the
 * same step, under one lock, and the stream takes them <em>before</em> it reads the store: a change
 * that lands while the stream reads or sends stays in the set for the next round, so no wake-up can
 * be lost between a read and a wait, whatever the order of threads.
 */
final class Pending {
    /** What a round reads: the build's row (and so everything), the rows of {@code steps}, the logs of {@code logs}. */
    record Taken(boolean build, BitSet steps, BitSet logs) {
        static final Taken EVERYTHING = new Taken(true, new BitSet(), new BitSet());

        boolean isEmpty() {
            return !build && steps.isEmpty() && logs.isEmpty();
        }
    }

    private boolean build;
    private BitSet steps = new BitSet();
    private BitSet logs = new BitSet();
    private boolean closed;

    synchronized void add(Part part, int step) {
        switch (part) {
            case BUILD -> build = true;
            case STEP -> steps.set(step);
            case LOG -> logs.set(step);
        }
        notifyAll();
    }

    /** Wakes {@link #take} for good: the client has gone. */
    synchronized void close() {
        closed = true;
        notifyAll();
    }

    /** Whether a change waits to be taken: for tests. */
    synchronized boolean waiting() {
        return build || !steps.isEmpty() || !logs.isEmpty();
    }

    /** Waits up to {@code millis} for a change, then takes every change there is; empty on timeout or close. */
    synchronized Taken take(long millis) throws InterruptedException {
        long until = System.nanoTime() + millis * 1_000_000;
        while (!closed && !waiting()) {
            long left = until - System.nanoTime();
            if (left <= 0) {
                break;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        Taken t = new Taken(build, steps, logs);
        build = false;
        steps = new BitSet();
        logs = new BitSet();
        return t;
    }
}
