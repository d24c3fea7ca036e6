package dev.kiln.agent.run;

import dev.kiln.spec.plan.StepPlan;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * Runs steps of one kind (processes, containers, a built-in builder).
 *
 * <p>Call order: {@link #prepare(String, BuildSteps, Path, Path)} once per build; {@link #start} once per step; then, on the returned {@link Execution}, read
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

    /**
     * {@link #prepare(Path, Path)} for the build {@code buildId}, whose id names what the executor
     * makes for it (containers, a network, volumes). Called from one thread per build.
     */
    default void prepare(String buildId, Path workspace, Path scratch) throws IOException {
        prepare(workspace, scratch);
    }

    /**
     * {@link #prepare(String, Path, Path)} told which of the build's steps this executor runs and in
     * what order, so that it may share what steps that never run at the same time can share.
     */
    default void prepare(String buildId, BuildSteps steps, Path workspace, Path scratch) throws IOException {
        prepare(buildId, workspace, scratch);
    }

    /**
     * {@code step} starts as soon as {@code running}, steps it waits for, end (all it waits for
     * besides has ended): the executor may make it ready now, off the step's path (create its
     * container), and {@link #start} then uses what it made if the step is still the same. What a
     * step that never starts (the build was cancelled, failed or timed out) had made is removed by
     * {@link #release}. Returns at once and never throws; may do nothing.
     */
    default void prepareAhead(StepPlan step, java.util.List<StepPlan> running, Path workspace, Path scratch) {}

    /**
     * Called once per build after all its steps have ended (also when {@code prepare} failed, and
     * before the workspace is deleted): removes what the executor made for the build. Never throws.
     */
    default void release(String buildId, Path workspace) {}

    /**
     * A started step the executor lost track of (its engine stopped answering): the step ends as
     * failed with this message, and the build goes on to its end rather than wait.
     */
    final class LostStepException extends RuntimeException {
        public LostStepException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A started step. */
    interface Execution {
        /** Standard output and standard error, interleaved as written. */
        InputStream output();

        /** Waits for the step's main process and returns its exit code; {@link LostStepException} when it cannot tell. */
        int waitFor() throws InterruptedException;

        void kill();
    }
}
