package dev.kiln.server.scheduler;

import dev.kiln.spec.protocol.LeaseLostException;
import java.io.IOException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * The leases of WORKING builds, in memory, so that each agent call is checked without a query;
 * with each lease its cancel signal and whether its agent has called back yet. A build's agent
 * calls run under the read side of the build's lock and every end under the write side: once an
 * end has released the lease, no step report or log line of that build gets through.
 */
final class Leases {
    /** One lease handed out. Not acknowledged: its agent has not called since it took the build. */
    static final class Held {
        final String leaseId;
        /** The id the agent polled under when it took the build. */
        final String agentId;
        final CountDownLatch cancel = new CountDownLatch(1);
        volatile boolean acknowledged;

        Held(String leaseId, String agentId, boolean acknowledged) {
            this.leaseId = leaseId;
            this.agentId = agentId;
            this.acknowledged = acknowledged;
        }
    }

    private static final int STRIPES = 64;

    private final ConcurrentHashMap<String, Held> held = new ConcurrentHashMap<>();
    private final ReadWriteLock[] locks = new ReadWriteLock[STRIPES];

    Leases() {
        for (int i = 0; i < STRIPES; i++) {
            locks[i] = new ReentrantReadWriteLock();
        }
    }

    void put(String buildId, String leaseId, String agentId, boolean acknowledged) {
        held.put(buildId, new Held(leaseId, agentId, acknowledged));
    }

    /** The lease if {@code leaseId} is the build's current one; the call counts as the agent's sign of life. */
    Held holder(String buildId, String leaseId) {
        Held h = held.get(buildId);
        if (h == null || leaseId == null || !h.leaseId.equals(leaseId)) {
            return null;
        }
        h.acknowledged = true;
        return h;
    }

    Held get(String buildId) {
        return held.get(buildId);
    }

    /** Forgets the lease, if it is still {@code leaseId} (a newer lease of a requeued build stays). */
    void release(String buildId, String leaseId) {
        held.computeIfPresent(buildId, (k, h) -> h.leaseId.equals(leaseId) ? null : h);
    }

    int size() {
        return held.size();
    }

    interface IoAction {
        void run() throws IOException;
    }

    /** Runs an agent's call while its lease is held, so that no end can come in between. */
    void whileHeld(String buildId, String leaseId, IoAction action, Supplier<LeaseLostException> lost) throws IOException {
        var lock = locks[Math.floorMod(buildId.hashCode(), STRIPES)].readLock();
        lock.lock();
        try {
            if (holder(buildId, leaseId) == null) {
                throw lost.get();
            }
            action.run();
        } finally {
            lock.unlock();
        }
    }

    /** Runs a move that may end or requeue the build, with the build's agent calls held off. */
    <T> T ending(String buildId, Supplier<T> move) {
        var lock = locks[Math.floorMod(buildId.hashCode(), STRIPES)].writeLock();
        lock.lock();
        try {
            return move.get();
        } finally {
            lock.unlock();
        }
    }
}
