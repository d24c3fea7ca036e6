package dev.kiln.agent.run;

/**
 * A kill (the step's timeout, a cancel, the build's timeout) that comes while an executor is still
 * starting a step. The executor says what would cut its wait short ({@link #onKill}, an image pull's
 * stream); nothing else is interrupted, so the engine calls around it finish cleanly (an interrupt
 * would close their channels under them and leak the container they made).
 */
public final class StartKill {
    private static final ThreadLocal<StartKill> CURRENT = new ThreadLocal<>();

    private Runnable abort;
    private boolean killed;

    /** Marks the calling thread as starting a step until {@link #close()}. */
    static StartKill enter() {
        StartKill k = new StartKill();
        CURRENT.set(k);
        return k;
    }

    void close() {
        CURRENT.remove();
        synchronized (this) {
            abort = null;
        }
    }

    synchronized void kill() {
        killed = true;
        if (abort != null) {
            abort.run();
        }
    }

    synchronized boolean isKilled() {
        return killed;
    }

    /**
     * While the step the calling thread starts is not killed, {@code abort} is what a kill runs;
     * run at once if it was killed already. Clear it (close the result) when the wait is over.
     */
    public static Hook onKill(Runnable abort) {
        StartKill k = CURRENT.get();
        if (k == null) {
            return () -> { };
        }
        synchronized (k) {
            if (k.killed) {
                abort.run();
            } else {
                k.abort = abort;
            }
        }
        return () -> {
            synchronized (k) {
                k.abort = null;
            }
        };
    }

    /** What {@link #onKill} returns: closing it says the wait is over. */
    public interface Hook extends AutoCloseable {
        @Override
        void close();
    }

    /** Whether the step the calling thread starts was killed meanwhile. */
    public static boolean killed() {
        StartKill k = CURRENT.get();
        return k != null && k.isKilled();
    }
}
