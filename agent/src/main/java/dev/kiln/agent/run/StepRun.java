package dev.kiln.agent.run;

import dev.kiln.agent.outputs.ArtifactUpload;
import dev.kiln.agent.outputs.MetricsReader;
import dev.kiln.spec.config.Durations;
import dev.kiln.spec.metrics.MetricsReport;
import dev.kiln.spec.plan.StepPlan;
import dev.kiln.spec.protocol.AgentApi;
import dev.kiln.spec.protocol.Lease;
import dev.kiln.spec.protocol.LeaseLostException;
import dev.kiln.spec.protocol.Status;
import dev.kiln.spec.protocol.StepResult;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the steps of one build for its {@link BuildRunner}, one call per step: starts it, pumps its
 * log (registry passwords and secrets masked) within the build's budget, enforces its timeout, and reports its
 * start and end. The runner decides what the result means for the build.
 */
final class StepRun {
    private static final Logger log = LoggerFactory.getLogger(StepRun.class);

    /** How a step ended; {@code why} completes "build step N "id" ..." when it failed without an exit code. */
    record Done(int index, Status status, boolean allowed, Integer exitCode, String why) {
        Done(int index, Status status, boolean allowed, Integer exitCode) {
            this(index, status, allowed, exitCode, null);
        }
    }

    private final AgentApi api;
    private final Executor executor;
    private final Lease lease;
    private final String buildId;
    private final Path scratch;
    /** The build's running steps and why each was killed, shared with the runner, which kills them. */
    private final Map<Integer, Executor.Execution> running;
    private final Map<Integer, Status> killReason;
    private final LogBudget budget;

    StepRun(AgentApi api, Executor executor, Lease lease, Path scratch, Map<Integer, Executor.Execution> running,
            Map<Integer, Status> killReason, LogBudget budget) {
        this.api = api;
        this.executor = executor;
        this.lease = lease;
        this.buildId = lease.buildId();
        this.scratch = scratch;
        this.running = running;
        this.killReason = killReason;
        this.budget = budget;
    }

    Done run(StepPlan s, Path workspace) {
        long start = System.currentTimeMillis();
        StepLog stepLog = new StepLog(api, buildId, lease.leaseId(), s.index(), lease.leaseMillis());
        Status status;
        Integer exit;
        String detail = null;
        boolean allowed = false;
        try {
            api.stepStarted(buildId, lease.leaseId(), s.index(), start);
            if (killReason.containsKey(s.index())) {
                // The build ended while this step was being reported: start nothing.
                finishStep(s, new StepResult(Status.CANCELLED, null, start, System.currentTimeMillis(),
                        "stopped because the build ended"));
                return new Done(s.index(), Status.CANCELLED, false, null);
            }
            // Starting may take long (an image pull): a kill during it cuts the wait short (StartKill), and
            // the step's timeout counts from here, so neither a cancel nor a timeout waits for a pull that hangs.
            Starting starting = new Starting(StartKill.enter());
            boolean first = running.replace(s.index(), starting) != null;
            var timer = s.timeoutMillis() > 0 ? TIMERS.schedule(() -> {
                killReason.putIfAbsent(s.index(), Status.TIMEOUT);
                Executor.Execution now = running.get(s.index());
                if (now != null) {
                    now.kill();
                }
            }, s.timeoutMillis(), TimeUnit.MILLISECONDS) : null;
            if (!first || killReason.containsKey(s.index())) {
                starting.kill();
            }
            Executor.Execution ex;
            try {
                ex = executor.start(StepEnvironment.withSecrets(s, lease.secrets()), workspace, scratch);
                starting.started();
            } catch (IOException | RuntimeException e) {
                starting.started();
                if (timer != null) {
                    timer.cancel(false);
                }
                Status why = killReason.get(s.index());
                if (why != null) {
                    // Killed while starting: the step ends as a kill ends it, saying what it was doing.
                    status = why == Status.TIMEOUT ? Status.TIMEOUT : Status.CANCELLED;
                    detail = why == Status.TIMEOUT ? "timed out after " + Durations.format(Duration.ofMillis(s.timeoutMillis()))
                            + " while starting" : "stopped because the build ended";
                    stepLog.write("[kiln] step " + (why == Status.TIMEOUT ? "timed out" : "stopped") + " while starting: "
                            + e.getMessage() + "\n");
                    finishStep(s, new StepResult(status, null, start, System.currentTimeMillis(), detail));
                    return new Done(s.index(), status, false, null);
                }
                // RuntimeException too: a path or variable the OS cannot take (a NUL byte) fails here,
                // and the step must end with the reason rather than leave the build waiting.
                stepLog.write("[kiln] step could not start: " + e.getMessage() + "\n");
                finishStep(s, new StepResult(Status.FAILURE, null, start, System.currentTimeMillis(),
                        "could not start: " + e.getMessage()));
                return new Done(s.index(), Status.FAILURE, s.allowFailure(), null,
                        "failed to start: " + e.getMessage());
            }
            if (running.replace(s.index(), ex) == null || killReason.containsKey(s.index())) {
                ex.kill();
            }
            try (InputStream out = Masking.wrap(ex.output(), lease.maskedValues())) {
                new LogPump(stepLog, budget).pump(out);
            } catch (LeaseLostException e) {
                ex.kill();
                throw e;
            }
            try {
                exit = ex.waitFor();
            } catch (Executor.LostStepException lost) {
                if (timer != null) {
                    timer.cancel(false);
                }
                stepLog.write("\n[kiln] " + lost.getMessage() + "\n");
                finishStep(s, new StepResult(Status.FAILURE, null, start, System.currentTimeMillis(), lost.getMessage()));
                return new Done(s.index(), Status.FAILURE, s.allowFailure(), null,
                        "failed: " + lost.getMessage());
            }
            if (timer != null) {
                timer.cancel(false);
            }
            Status reason = killReason.get(s.index());
            if (reason == Status.TIMEOUT) {
                status = Status.TIMEOUT;
                detail = "timed out after " + Durations.format(Duration.ofMillis(s.timeoutMillis()));
                stepLog.write("\n[kiln] step timed out after " + Durations.format(Duration.ofMillis(s.timeoutMillis()))
                        + "; its processes were killed\n");
            } else if (reason != null) {
                status = Status.CANCELLED;
                detail = "stopped because the build ended";
            } else if (exit == 0) {
                status = Status.SUCCESS;
                if (s.metrics() != null) {
                    reportMetrics(s, workspace, stepLog);
                }
                String refused = s.artifacts().isEmpty() ? null : keepArtifacts(s, workspace, stepLog);
                if (refused != null) {
                    status = Status.FAILURE;
                    detail = "artifact refused: " + refused;
                    stepLog.write("[kiln] " + detail + "\n");
                    finishStep(s, new StepResult(status, exit, start, System.currentTimeMillis(), detail));
                    return new Done(s.index(), status, s.allowFailure(), exit, "failed: " + detail);
                }
            } else {
                status = Status.FAILURE;
                allowed = s.allowFailure() || s.allowExitCodes().contains(exit);
                detail = "exit code " + exit + (allowed ? " (allowed)" : "");
            }
            finishStep(s, new StepResult(status, exit, start, System.currentTimeMillis(), detail));
            return new Done(s.index(), status, allowed, exit);
        } catch (IOException e) {
            log.warn("build {}: step {} could not be reported: {}", buildId, s.id(), e.getMessage());
            return new Done(s.index(), Status.INTERNAL_ERROR, false, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Done(s.index(), Status.INTERNAL_ERROR, false, null);
        } catch (RuntimeException e) {
            // A defect of this agent, not of the step: say so where the user looks, and end the step.
            log.error("build {}: step {} failed inside the agent", buildId, s.id(), e);
            try {
                stepLog.write("\n[kiln] the agent failed while running this step: " + e + "\n");
                finishStep(s, new StepResult(Status.FAILURE, null, start, System.currentTimeMillis(),
                        "agent error: " + e));
            } catch (IOException | RuntimeException reportFailed) {
                log.warn("build {}: step {} could not be reported: {}", buildId, s.id(), reportFailed.toString());
            }
            return new Done(s.index(), Status.FAILURE, false, null);
        } finally {
            running.remove(s.index());
        }
    }

    /** Reads the step's metrics file and sends it; its warnings go to the step's log too, where people look. */
    private void reportMetrics(StepPlan s, Path workspace, StepLog stepLog) throws IOException {
        MetricsReport report = MetricsReader.read(workspace, s.metrics());
        for (String w : report.warnings()) {
            stepLog.write("[kiln] warning: " + w + "\n");
        }
        api.metricsReported(buildId, lease.leaseId(), s.index(), report);
    }

    /** Uploads the step's artifacts; null when all were kept, else the server's reason for refusing one. */
    private String keepArtifacts(StepPlan s, Path workspace, StepLog stepLog) throws IOException {
        IOException[] failed = new IOException[1];
        String refused = new ArtifactUpload(api, buildId, lease.leaseId(), lease.leaseMillis()).run(workspace, s.index(),
                s.artifacts(), w -> {
                    try {
                        stepLog.write("[kiln] warning: " + w + "\n");
                    } catch (IOException e) {
                        failed[0] = e;
                    }
                });
        if (failed[0] != null) {
            throw failed[0];
        }
        return refused;
    }

    private void finishStep(StepPlan s, StepResult r) throws IOException {
        api.stepFinished(buildId, lease.leaseId(), s.index(), r);
    }

    /** A step marked running before its process exists, so that a kill that comes first still reaches it. */
    static final Executor.Execution NOT_STARTED = new Executor.Execution() {
        @Override
        public InputStream output() {
            return InputStream.nullInputStream();
        }

        @Override
        public int waitFor() {
            return 0;
        }

        @Override
        public void kill() {}
    };

    /** A step whose executor is still starting it: a kill reaches what the start waits on, if anything. */
    private static final class Starting implements Executor.Execution {
        private final StartKill kill;

        Starting(StartKill kill) {
            this.kill = kill;
        }

        void started() {
            kill.close();
        }

        @Override
        public void kill() {
            kill.kill();
        }

        @Override
        public InputStream output() {
            return InputStream.nullInputStream();
        }

        @Override
        public int waitFor() {
            return 0;
        }
    }

    private static final ScheduledExecutorService TIMERS =
            Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "kiln-step-timer");
                t.setDaemon(true);
                return t;
            });
}
