package dev.kiln.server.http;

import dev.kiln.server.events.BuildEvents.Part;
import dev.kiln.server.store.StepRun;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The changes to one build that a stream has not looked at yet. Taking them empties the set in the
 * same step, under one lock, and the stream takes them <em>before</em> it reads the store: a change
 * that lands while the stream reads or sends stays in the set for the next round, so no wake-up can
 * be lost between a read and a wait, whatever the order of threads.
 */
final class Pending {
    /**
     * What a round reads: the build's row (and so everything), the rows of {@code steps}, the logs of
     * {@code logs}; and for steps whose change came with how their row changed, those changes in order,
     * to apply to the row the stream has instead of reading it.
     */
    record Taken(boolean build, BitSet steps, BitSet logs, Map<Integer, List<UnaryOperator<StepRun>>> carried) {
        static final Taken EVERYTHING = new Taken(true, new BitSet(), new BitSet(), Map.of());

        boolean isEmpty() {
            return !build && steps.isEmpty() && logs.isEmpty() && carried.isEmpty();
        }
    }

    private boolean build;
    private BitSet steps = new BitSet();
    private BitSet logs = new BitSet();
    private Map<Integer, List<UnaryOperator<StepRun>>> carried = new HashMap<>();
    /** When the set last became non-empty, in nanoseconds: a round gathers changes from then on for a moment. */
    private long firstAt;
    private boolean closed;

    synchronized void add(Part part, int step) {
        noteFirst();
        switch (part) {
            case BUILD -> build = true;
            case STEP -> {
                // A read sees every change made before it: ones carried so far are in what it reads.
                steps.set(step);
                carried.remove(step);
            }
            case LOG -> logs.set(step);
        }
        notifyAll();
    }

    /** Step {@code step} changed as {@code how} says. */
    synchronized void add(int step, UnaryOperator<StepRun> how) {
        noteFirst();
        if (!steps.get(step)) {
            carried.computeIfAbsent(step, k -> new ArrayList<>()).add(how);
        }
        notifyAll();
    }

    private void noteFirst() {
        if (!waiting()) {
            firstAt = System.nanoTime();
        }
    }

    /** Wakes {@link #take} for good: the client has gone. */
    synchronized void close() {
        closed = true;
        notifyAll();
    }

    /** Whether a change waits to be taken: for tests. */
    synchronized boolean waiting() {
        return build || !steps.isEmpty() || !logs.isEmpty() || !carried.isEmpty();
    }

    /**
     * Waits up to {@code millis} for a change, then up to {@code gatherMillis} from that change's arrival
     * for more, then takes every change there is; empty on timeout or close. Gathering makes one round of
     * several changes that come close together (the steps of a fast build), each round costing a read
     * and a write to the client.
     */
    synchronized Taken take(long millis, long gatherMillis) throws InterruptedException {
        long until = System.nanoTime() + millis * 1_000_000;
        while (!closed && !waiting()) {
            long left = until - System.nanoTime();
            if (left <= 0) {
                break;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        if (waiting()) {
            long gathered = firstAt + gatherMillis * 1_000_000;
            for (long left = gathered - System.nanoTime(); !closed && left > 0; left = gathered - System.nanoTime()) {
                wait(left / 1_000_000, (int) (left % 1_000_000));
            }
        }
        Taken t = new Taken(build, steps, logs, carried);
        build = false;
        steps = new BitSet();
        logs = new BitSet();
        carried = new HashMap<>();
        return t;
    }
}
