package dev.kiln.agent.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.spec.archive.ArchiveLimits;
import dev.kiln.spec.archive.Tgz;
import dev.kiln.spec.plan.BuildPlan;
import dev.kiln.spec.plan.StepPlan;
import dev.kiln.spec.protocol.HeartbeatReply;
import dev.kiln.spec.protocol.Lease;
import dev.kiln.spec.protocol.Status;
import dev.kiln.spec.protocol.StepResult;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runner against a test double of the server that records what it is told. The real server
 * is in the server module's tests; this one checks what the agent must refuse on its own.
 */
class BuildRunnerTest {
    @TempDir Path tmp;

    static final class Recorder extends PartialAgentApi {
        final List<String> calls = new CopyOnWriteArrayList<>();
        byte[] source = new byte[0];

        @Override
        public HeartbeatReply heartbeat(String buildId, String leaseId, Duration wait) throws InterruptedException {
            Thread.sleep(wait.toMillis());
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
}
