package dev.kiln.agent.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.agent.Agent;
import dev.kiln.spec.plan.BuildPlan;
import dev.kiln.spec.plan.StepPlan;
import dev.kiln.spec.protocol.Lease;
import dev.kiln.spec.protocol.LeaseRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's loop: it outlives a defect in one build, runs up to its --max-builds at once each in
 * a workspace of its own, and asks the server for work only while it has a free slot.
 */
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

    @Test
    void runs_up_to_max_builds_at_once_each_in_its_own_workspace_and_asks_for_no_more() throws Exception {
        Path gate = tmp.resolve("gate");
        Path seen = Files.createDirectories(tmp.resolve("seen"));
        // Each build notes its workspace and what it holds, then keeps its slot until the test opens the gate.
        StepPlan held = new StepPlan(0, "held", null, null, List.of("sh", "-c",
                "pwd > " + seen + "/$$.pwd; touch mine; while [ ! -e " + gate + " ]; do sleep 0.01; done; ls -A > " + seen + "/$$.ls"),
                null, List.of(), null, List.of(), 0, false, List.of(), List.of());
        Deque<Lease> work = new ArrayDeque<>();
        for (String id : List.of("b1", "b2", "b3")) {
            work.add(new Lease(id, "lease-" + id, new BuildPlan(BuildPlan.VERSION, id, 60_000, List.of(held), List.of()), null,
                    30_000, 50));
        }
        AtomicInteger running = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        List<String> askedWhileFull = new java.util.concurrent.CopyOnWriteArrayList<>();
        CountDownLatch twoStarted = new CountDownLatch(2);
        CountDownLatch allDone = new CountDownLatch(3);
        BuildRunnerTest.Recorder api = new BuildRunnerTest.Recorder() {
            @Override
            public Optional<Lease> lease(LeaseRequest request, Duration wait) throws InterruptedException {
                Lease next;
                synchronized (work) {
                    if (running.get() >= 2) {
                        askedWhileFull.add("asked with " + running.get() + " running");
                    }
                    next = work.poll();
                    if (next != null) {
                        mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
                    }
                }
                if (next == null) {
                    Thread.sleep(wait.toMillis());   // the server's long poll, with nothing queued
                }
                return Optional.ofNullable(next);
            }

            @Override
            public void stepStarted(String buildId, String leaseId, int step, long startMillis) {
                super.stepStarted(buildId, leaseId, step, startMillis);
                twoStarted.countDown();
            }

            @Override
            public void buildFinished(String buildId, String leaseId, dev.kiln.spec.protocol.Status status, String detail) {
                super.buildFinished(buildId, leaseId, status, detail);
                running.decrementAndGet();
                allDone.countDown();
            }
        };
        Agent agent = new Agent(api, new BuildRunner(api, new ProcessExecutor(StepEnvironment.ofThisUser()), tmp.resolve("work"),
                1 << 20, false), "test", List.of(), 2);
        Thread t = new Thread(agent);
        t.start();
        try {
            assertThat(twoStarted.await(20, TimeUnit.SECONDS)).as("two builds run at once").isTrue();
            assertThat(work).as("the third waits for a free slot").hasSize(1);
            Files.createFile(gate);
            assertThat(allDone.await(20, TimeUnit.SECONDS)).as("all three builds ended").isTrue();
        } finally {
            agent.stop();
            t.join(5_000);
        }
        assertThat(askedWhileFull).as("no lease asked for while both slots were busy").isEmpty();
        assertThat(mostAtOnce.get()).isEqualTo(2);
        assertThat(api.calls).filteredOn(c -> c.startsWith("build ")).containsOnly("build SUCCESS: null").hasSize(3);
        List<String> workspaces = new java.util.ArrayList<>();
        try (var files = Files.list(seen)) {
            for (Path f : files.sorted().toList()) {
                String text = Files.readString(f).strip();
                if (f.toString().endsWith(".pwd")) {
                    workspaces.add(text);
                } else {
                    assertThat(text).as("a workspace holds only its own build's files").isEqualTo("mine");
                }
            }
        }
        assertThat(workspaces).hasSize(3).doesNotHaveDuplicates();
    }

    @Test
    void an_agent_refuses_fewer_than_one_build_at_a_time() {
        BuildRunnerTest.Recorder api = new BuildRunnerTest.Recorder();
        var runner = new BuildRunner(api, new ProcessExecutor(StepEnvironment.ofThisUser()), tmp, 1 << 20, false);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Agent(api, runner, "test", List.of(), 0))
                .hasMessageContaining("at least one build");
    }
}
