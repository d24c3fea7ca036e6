package dev.kiln.agent.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.kiln.spec.archive.ArchiveLimits;
import dev.kiln.spec.archive.Tgz;
import dev.kiln.spec.plan.BuildPlan;
import dev.kiln.spec.plan.StepPlan;
import dev.kiln.spec.protocol.HeartbeatReply;
import dev.kiln.spec.protocol.Lease;
import dev.kiln.spec.protocol.LeaseLostException;
import dev.kiln.spec.protocol.Status;
import dev.kiln.spec.protocol.StepResult;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runner against a test double of the server that records what it is told. The real server
 * is in the server module's tests; this one checks what the agent must refuse on its own.
 */
class BuildRunnerTest {
    @TempDir Path tmp;

    static class Recorder extends PartialAgentApi {
        final List<String> calls = new CopyOnWriteArrayList<>();
        final StringBuffer log = new StringBuffer();
        /** Released by a test to have the next heartbeat ask for a cancel, or say the lease is gone. */
        final CountDownLatch cancel = new CountDownLatch(1);
        final CountDownLatch loseLease = new CountDownLatch(1);
        byte[] source = new byte[0];

        @Override
        public HeartbeatReply heartbeat(String buildId, String leaseId, Duration wait) throws java.io.IOException, InterruptedException {
            long until = System.nanoTime() + wait.toNanos();
            while (System.nanoTime() < until) {
                if (loseLease.getCount() == 0) {
                    throw new LeaseLostException("lease gone");
                }
                if (cancel.await(5, TimeUnit.MILLISECONDS)) {
                    return new HeartbeatReply(true);
                }
            }
            return new HeartbeatReply(false);
        }

        @Override
        public InputStream source(String buildId, String leaseId) {
            return new ByteArrayInputStream(source);
        }

        @Override
        public void stepStarted(String buildId, String leaseId, int step, long startMillis) {
            calls.add("started " + step);
        }

        @Override
        public long appendLog(String buildId, String leaseId, int step, long offset, byte[] data, int off, int len) {
            log.append(new String(data, off, len, java.nio.charset.StandardCharsets.UTF_8));
            return offset + len;
        }

        @Override
        public void stepFinished(String buildId, String leaseId, int step, StepResult result) {
            calls.add("finished " + step + " " + result.status());
        }

        @Override
        public void buildFinished(String buildId, String leaseId, Status status, String detail) {
            calls.add("build " + status + ": " + detail);
        }

        @Override
        public void imagesPushed(String buildId, String leaseId, List<dev.kiln.spec.api.BuiltImage> images) {
            calls.add("images " + images);
        }
    }

    @Test
    void a_plan_of_another_version_is_refused_before_anything_runs() throws Exception {
        Recorder api = new Recorder();
        StepPlan step = new StepPlan(0, "s", null, null, List.of("touch", tmp.resolve("ran").toString()), null,
                List.of(), null, List.of(), 0, false, List.of(), List.of());
        Lease lease = new Lease("b", "l", new BuildPlan(BuildPlan.VERSION + 1, "b", 60_000, List.of(step), List.of()),
                null, 30_000, 100);

        Status status = new BuildRunner(api, new ProcessExecutor(StepEnvironment.ofThisUser()), tmp.resolve("work"), 1 << 20, false).run(lease);

        assertThat(status).isEqualTo(Status.INTERNAL_ERROR);
        assertThat(api.calls).singleElement().asString()
                .startsWith("build INTERNAL_ERROR: this agent runs plans of version " + BuildPlan.VERSION);
        assertThat(tmp.resolve("ran")).doesNotExist();
    }

    @Test
    void a_plan_of_this_version_runs_its_steps() throws Exception {
        Recorder api = new Recorder();
        StepPlan step = new StepPlan(0, "s", null, null, List.of("touch", tmp.resolve("ran").toString()), null,
                List.of(), null, List.of(), 0, false, List.of(), List.of());
        Lease lease = new Lease("b", "l", new BuildPlan(BuildPlan.VERSION, "b", 60_000, List.of(step), List.of()),
                null, 30_000, 100);

        Status status = new BuildRunner(api, new ProcessExecutor(StepEnvironment.ofThisUser()), tmp.resolve("work"), 1 << 20, false).run(lease);

        assertThat(status).isEqualTo(Status.SUCCESS);
        assertThat(api.calls).containsExactly("started 0", "finished 0 SUCCESS", "build SUCCESS: null");
        assertThat(tmp.resolve("ran")).exists();
    }

    private static StepPlan step(int index, String id, List<String> args, List<String> env, List<Integer> waitFor) {
        return new StepPlan(index, id, null, null, args, null, env, null, waitFor, 0, false, List.of(), List.of());
    }

    private Status run(Recorder api, List<StepPlan> steps) {
        return run(api, new ProcessExecutor(StepEnvironment.ofThisUser()), steps);
    }

    private Status run(Recorder api, Executor executor, List<StepPlan> steps) {
        Lease lease = new Lease("b", "l", new BuildPlan(BuildPlan.VERSION, "b", 60_000, steps, List.of()), null, 30_000, 50);
        return assertTimeoutPreemptively(Duration.ofSeconds(20), () ->
                new BuildRunner(api, executor, tmp.resolve("work"), 1 << 20, false).run(lease));
    }

    @Test
    void an_executor_that_fails_unexpectedly_ends_the_step_with_the_reason_and_the_build_goes_on_to_its_end() {
        Recorder api = new Recorder();
        Executor broken = (step, workspace, scratch) -> new Executor.Execution() {
            @Override
            public InputStream output() {
                throw new IllegalStateException("wedged executor");
            }

            @Override
            public int waitFor() {
                return 0;
            }

            @Override
            public void kill() {}
        };
        Status status = run(api, broken, List.of(step(0, "train", List.of("true"), List.of(), List.of())));

        assertThat(status).isEqualTo(Status.FAILURE);
        assertThat(api.calls).contains("finished 0 FAILURE");
        assertThat(api.log.toString()).contains("[kiln] the agent failed while running this step: java.lang.IllegalStateException: wedged executor");
    }

    @Test
    void a_step_the_os_cannot_start_fails_with_its_reason_instead_of_hanging_the_build() {
        Recorder api = new Recorder();
        Status status = run(api, List.of(step(0, "nul", List.of("true"), List.of("BAD=a\0b"), List.of())));

        assertThat(status).isEqualTo(Status.FAILURE);
        assertThat(api.calls).contains("finished 0 FAILURE").last().asString().startsWith("build FAILURE: build step 0 \"nul\" failed to start");
        assertThat(api.log.toString()).startsWith("[kiln] step could not start: ");
    }

    @Test
    void a_failing_step_kills_the_steps_running_beside_it_and_skips_the_rest() {
        Recorder api = new Recorder();
        Status status = run(api, List.of(
                step(0, "slow", List.of("sleep", "30"), List.of(), List.of()),
                step(1, "fails", List.of("sh", "-c", "exit 3"), List.of(), List.of()),
                step(2, "after", List.of("true"), List.of(), List.of(0, 1))));

        assertThat(status).isEqualTo(Status.FAILURE);
        assertThat(api.calls).contains("finished 1 FAILURE", "finished 0 CANCELLED", "finished 2 SKIPPED")
                .last().asString().isEqualTo("build FAILURE: build step 1 \"fails\" failed: step exited with non-zero status: 3");
    }

    @Test
    void a_cancel_from_the_server_kills_the_running_steps_and_ends_the_build_cancelled() {
        Recorder api = new Recorder();
        api.cancel.countDown();
        Status status = run(api, List.of(step(0, "slow", List.of("sleep", "30"), List.of(), List.of()),
                step(1, "never", List.of("true"), List.of(), List.of(0))));

        assertThat(status).isEqualTo(Status.CANCELLED);
        assertThat(api.calls).contains("finished 0 CANCELLED", "finished 1 SKIPPED", "build CANCELLED: cancelled");
    }

    @Test
    void a_lost_lease_kills_the_steps_and_reports_nothing_more() {
        Recorder api = new Recorder();
        api.loseLease.countDown();
        Status status = run(api, List.of(step(0, "slow", List.of("sleep", "30"), List.of(), List.of())));

        assertThat(status).isNull();
        assertThat(api.calls).noneMatch(c -> c.startsWith("build "));
    }

    @Test
    void a_source_over_the_agents_limits_fails_the_build_naming_the_limit_and_nothing_runs() throws Exception {
        Recorder api = new Recorder();
        api.source = Tgz.archive().zeros("data.bin", 2 << 20).bytes();
        StepPlan step = new StepPlan(0, "s", null, null, List.of("touch", tmp.resolve("ran").toString()), null,
                List.of(), null, List.of(), 0, false, List.of(), List.of());
        Lease lease = new Lease("b", "l", new BuildPlan(BuildPlan.VERSION, "b", 60_000, List.of(step), List.of()),
                "sha256:" + "0".repeat(64), 30_000, 100);

        Status status = new BuildRunner(api, new ProcessExecutor(StepEnvironment.ofThisUser()), tmp.resolve("work"), 1 << 20,
                false, new ArchiveLimits(10, 4 << 20, 1 << 20)).run(lease);

        assertThat(status).isEqualTo(Status.FAILURE);
        assertThat(api.calls).containsExactly("build FAILURE: source archive refused: source archive entry 'data.bin'"
                + " is larger than 1 MiB (--max-source-file-bytes)");
        assertThat(tmp.resolve("ran")).doesNotExist();
    }

    @Test
    void a_build_whose_lease_is_lost_while_a_step_is_starting_leaves_nothing_behind_once_it_returns() throws Exception {
        Recorder api = new Recorder();
        CountDownLatch starting = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Path work = tmp.resolve("work");
        // A step whose start is slow (a busy machine): it makes its scratch files only once released.
        Executor slowStart = new Executor() {
            @Override
            public Execution start(StepPlan step, Path workspace, Path scratch) throws IOException {
                starting.countDown();
                boolean interrupted = false;
                while (true) {   // as a process spawn, deaf to interrupts
                    try {
                        release.await();
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
                Files.createDirectories(scratch);
                Files.writeString(scratch.resolve("script"), "true\n");
                return new Execution() {
                    @Override
                    public java.io.InputStream output() {
                        return java.io.InputStream.nullInputStream();
                    }

                    @Override
                    public int waitFor() {
                        return 0;
                    }

                    @Override
                    public void kill() {}
                };
            }
        };
        Lease lease = new Lease("b", "l", new BuildPlan(BuildPlan.VERSION, "b", 60_000,
                List.of(step(0, "s", List.of("true"), List.of(), List.of())), List.of()), null, 30_000, 50);
        CountDownLatch returned = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            try {
                new BuildRunner(api, slowStart, work, 1 << 20, false).run(lease);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                returned.countDown();
            }
        });
        t.start();
        assertThat(starting.await(10, TimeUnit.SECONDS)).isTrue();
        api.loseLease.countDown();
        // The runner must not return while the step is still starting; if it did, let the step write after it.
        boolean returnedEarly = returned.await(1, TimeUnit.SECONDS);
        release.countDown();
        t.join(10_000);

        assertThat(returnedEarly).as("run() returned while a step was still starting").isFalse();
        assertThat(work.resolve("builds").resolve("b")).doesNotExist();
    }
}
