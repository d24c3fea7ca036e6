package dev.kiln.agent.run;

import dev.kiln.spec.plan.StepPlan;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * Runs steps of one kind (processes now; containers later).
 *
 * <p>Call order: {@link #start} once per step; then, on the returned {@link Execution}, read
 * {@link Execution#output()} to its end and call {@link Execution#waitFor()}. {@link Execution#kill()}
 * may be called from any thread at any time, more than once, and after the step has ended: it is
 * idempotent and stops the step's whole process tree.
 */
public interface Executor {

    /**
     * Starts {@code step} in {@code workspace}; {@code scratch} is a private directory for files Kiln
     * writes for the step (its script). Throws when the step cannot start at all (an image step on a
     * process executor, a dir outside the workspace). A program that does not exist may instead show
     * as a step that exits 127 with the reason in its output, as a shell would report it.
     */
    Execution start(StepPlan step, Path workspace, Path scratch) throws IOException;

    /**
     * Called once per build, after its source is unpacked into {@code workspace} and before any
     * step starts: makes {@code scratch} and whatever else the steps need, and hands the workspace
     * to whoever runs them.
     */
    default void prepare(Path workspace, Path scratch) throws IOException {}

    /** A started step. */
    interface Execution {
        /** Standard output and standard error, interleaved as written. */
        InputStream output();

        /** Waits for the step's main process and returns its exit code. */
        int waitFor() throws InterruptedException;

        void kill();
    }
}
