package dev.kiln.agent.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.agent.Agent;
import dev.kiln.spec.plan.BuildPlan;
import dev.kiln.spec.plan.StepPlan;
import dev.kiln.spec.protocol.Lease;
import dev.kiln.spec.protocol.LeaseRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's loop outlives a defect in one build: that build ends INTERNAL_ERROR, the next one runs. */
class AgentTest {
    @TempDir Path tmp;

    @Test
    void an_unexpected_failure_ends_that_build_and_the_agent_takes_the_next() throws Exception {
        CountDownLatch secondDone = new CountDownLatch(1);
        StepPlan ok = new StepPlan(0, "ok", null, null, List.of("true"), null, List.of(), null, List.of(), 0, false,
                List.of(), List.of());
        Deque<Lease> work = new ArrayDeque<>(List.of(
                new Lease("broken", "l1", null, null, 30_000, 50),   // no plan: the runner throws
                new Lease("fine", "l2", new BuildPlan(BuildPlan.VERSION, "fine", 60_000, List.of(ok), List.of()), null, 30_000, 50)));
        BuildRunnerTest.Recorder api = new BuildRunnerTest.Recorder() {
            @Override
            public synchronized Optional<Lease> lease(LeaseRequest request, Duration wait) {
                return Optional.ofNullable(work.poll());
            }

            @Override
            public void buildFinished(String buildId, String leaseId, dev.kiln.spec.protocol.Status status, String detail) {
                super.buildFinished(buildId, leaseId, status, detail);
                if (buildId.equals("fine")) {
                    secondDone.countDown();
                }
            }
        };
        Agent agent = new Agent(api, new BuildRunner(api, new ProcessExecutor(StepEnvironment.ofThisUser()), tmp, 1 << 20, false),
                "test", List.of());
        Thread t = new Thread(agent);
        t.start();
        try {
            assertThat(secondDone.await(20, TimeUnit.SECONDS)).as("the agent ran the next build").isTrue();
        } finally {
            agent.stop();
            t.join(5_000);
        }
        assertThat(api.calls).first().asString().startsWith("build INTERNAL_ERROR: the agent failed: java.lang.NullPointerException");
        assertThat(api.calls).contains("build SUCCESS: null");
    }

    @Test
    void a_stopping_agent_says_goodbye_so_the_server_ends_its_waiting_poll() {
        List<String> said = new java.util.concurrent.CopyOnWriteArrayList<>();
        BuildRunnerTest.Recorder api = new BuildRunnerTest.Recorder() {
            @Override
            public void goodbye(String agentId) {
                said.add(agentId);
            }
        };
        Agent agent = new Agent(api, new BuildRunner(api, new ProcessExecutor(StepEnvironment.ofThisUser()), tmp, 1 << 20, false),
                "test", List.of());

        agent.stop();

        assertThat(said).containsExactly(agent.id());
    }
}
