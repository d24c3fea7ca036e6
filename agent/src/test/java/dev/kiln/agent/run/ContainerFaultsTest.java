package dev.kiln.agent.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiln.agent.docker.ContainerExecutor;
import dev.kiln.agent.docker.ContainerLabels;
import dev.kiln.agent.docker.ContainerReaper;
import dev.kiln.agent.docker.DockerEngine;
import dev.kiln.agent.docker.SocketProxy;
import dev.kiln.agent.docker.TestImages;
import dev.kiln.spec.config.Volume;
import dev.kiln.spec.plan.StepPlan;
import dev.kiln.spec.protocol.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What goes wrong with steps in images, each against the real engine: the build ends with a status
 * and a message that says what happened, never hangs, and leaves nothing of itself on the engine.
 */
class ContainerFaultsTest {
    @TempDir Path tmp;

    @Test
    void an_image_that_does_not_exist_fails_the_step_naming_the_image_and_what_was_tried() {
        ContainerBuilds b = new ContainerBuilds(tmp);
        var api = new BuildRunnerTest.Recorder();
        StepPlan step = new StepPlan(0, "nope", "kiln-test/does-not-exist:1", null, List.of("true"), null, List.of(), null,
                List.of(), 0, false, List.of(), List.of());

        Status status = b.run(api, List.of(step));

        assertThat(status).isEqualTo(Status.FAILURE);
        assertThat(api.log.toString()).contains("[kiln] step could not start: image 'kiln-test/does-not-exist:1' is not on"
                + " the Docker engine at ", ", and pulling it from Docker Hub (docker.io) failed: ")
                .as("the engine's message as text, not as JSON").doesNotContain("\\\"", "{\"message\"");
        assertThat(api.calls).last().asString().startsWith("build FAILURE: build step 0 \"nope\" failed to start: image"
                + " 'kiln-test/does-not-exist:1'");
        assertThat(b.leftOnEngine()).isEmpty();
    }

    @Test
    void a_step_killed_by_its_timeout_leaves_no_container_network_or_volume() {
        ContainerBuilds b = new ContainerBuilds(tmp);
        var api = new BuildRunnerTest.Recorder();
        StepPlan slow = new StepPlan(0, "slow", b.image, null, List.of("sh", "-c", "echo begun; sleep 60"), null, List.of(),
                null, List.of(), 3_000, false, List.of(), List.of(), List.of(new Volume("data", "/data")));

        long started = System.nanoTime();
        Status status = b.run(api, List.of(slow));

        assertThat(status).isEqualTo(Status.TIMEOUT);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(30));
        // The timeout counts from the step's start, its container's start included: 3 s leave room for that.
        assertThat(api.log.toString()).contains("begun\n", "[kiln] step timed out after 3s");
        assertThat(b.leftOnEngine()).isEmpty();
    }

    @Test
    void a_pull_from_a_registry_that_never_answers_is_cut_by_the_steps_timeout() throws Exception {
        ContainerBuilds b = new ContainerBuilds(tmp);
        var api = new BuildRunnerTest.Recorder();
        // A registry that takes connections and never says a word: the engine's pull waits on it.
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            List<java.net.Socket> held = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        held.add(silent.accept());
                    }
                } catch (java.io.IOException closed) {
                    // the test is over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            String image = "127.0.0.1:" + silent.getLocalPort() + "/kiln-test/never:1";
            StepPlan step = new StepPlan(0, "pull", image, null, List.of("true"), null, List.of(), null, List.of(), 1_000,
                    false, List.of(), List.of());

            long started = System.nanoTime();
            Status status = b.run(api, List.of(step));

            assertThat(status).isEqualTo(Status.TIMEOUT);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("the engine's own pull timeout is far longer")
                    .isLessThan(Duration.ofSeconds(10));
            assertThat(api.log.toString()).contains("[kiln] step timed out while starting: the pull of image '" + image
                    + "' from 127.0.0.1:" + silent.getLocalPort() + " was stopped");
            assertThat(held).as("the engine did try the registry").isNotEmpty();
            for (java.net.Socket s : held) {
                s.close();
            }
        }
        assertThat(b.leftOnEngine()).isEmpty();
    }

    @Test
    void a_cancel_during_a_container_step_stops_it_and_leaves_nothing() {
        ContainerBuilds b = new ContainerBuilds(tmp);
        var api = new BuildRunnerTest.Recorder();
        CompletableFuture<Status> run = CompletableFuture.supplyAsync(() ->
                b.run(api, List.of(b.sh(0, "long", "echo begun; sleep 60"))));
        await().atMost(Duration.ofSeconds(30)).until(() -> api.log.toString().contains("begun"));

        api.cancel.countDown();

        assertThat(run.join()).isEqualTo(Status.CANCELLED);
        assertThat(api.calls).contains("finished 0 CANCELLED");
        assertThat(b.leftOnEngine()).isEmpty();
    }

    @Test
    void a_container_made_ahead_for_a_step_that_never_starts_goes_with_the_cancelled_build() {
        ContainerBuilds b = new ContainerBuilds(tmp);
        var api = new BuildRunnerTest.Recorder();
        // Step 1 runs once the engine has the image (step 0 looked it up): from then on, the container
        // of step 2, which waits for it, is made while it runs.
        List<StepPlan> steps = List.of(b.container(0, "first", List.of("true"), List.of(), List.of()),
                b.container(1, "long", List.of("sh", "-c", "echo begun; sleep 60"), List.of(0), List.of()),
                b.container(2, "never", List.of("echo", "never"), List.of(1), List.of()));
        CompletableFuture<Status> run = CompletableFuture.supplyAsync(() -> b.run(api, steps));
        await().atMost(Duration.ofSeconds(30)).until(() -> api.log.toString().contains("begun"));
        await().atMost(Duration.ofSeconds(30)).until(() -> !TestImages.engine().client().listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(ContainerLabels.BUILD, b.buildId, ContainerLabels.STEP, "never")).exec().isEmpty());

        api.cancel.countDown();

        assertThat(run.join()).isEqualTo(Status.CANCELLED);
        assertThat(api.calls).contains("finished 2 SKIPPED").doesNotContain("started 2");
        assertThat(api.log.toString()).doesNotContain("never");
        assertThat(b.leftOnEngine()).isEmpty();
    }

    @Test
    void an_engine_that_does_not_answer_fails_the_step_with_a_clear_message() {
        DockerEngine dead = DockerEngine.at("unix://" + tmp.resolve("no-engine.sock"));
        ContainerBuilds b = new ContainerBuilds(dead, tmp.resolve("work"));
        var api = new BuildRunnerTest.Recorder();

        Status status = b.run(api, b.executor(Optional.empty()), List.of(b.sh(0, "s", "true")), 60_000);

        assertThat(status).isEqualTo(Status.FAILURE);
        assertThat(api.log.toString()).contains("[kiln] step could not start: the Docker engine at unix://"
                + tmp.resolve("no-engine.sock") + " does not answer");
    }

    @Test
    void an_engine_that_stops_mid_step_ends_the_build_failed_and_a_restarted_agent_reaps_the_container() throws Exception {
        SocketProxy proxy = SocketProxy.toEngine(tmp.resolve("engine.sock"));
        ContainerBuilds b = new ContainerBuilds(DockerEngine.at("unix://" + tmp.resolve("engine.sock")), tmp.resolve("work"));
        var api = new BuildRunnerTest.Recorder();
        CompletableFuture<Status> run = CompletableFuture.supplyAsync(() ->
                b.run(api, b.executor(Optional.empty()), List.of(b.sh(0, "long", "echo begun; sleep 60")), 120_000));
        await().atMost(Duration.ofSeconds(30)).until(() -> api.log.toString().contains("begun"));

        proxy.close();

        assertThat(run.join()).isEqualTo(Status.FAILURE);
        assertThat(api.log.toString()).contains("[kiln] lost the Docker engine at unix://" + tmp.resolve("engine.sock")
                + " during the step");
        assertThat(api.calls).last().asString().startsWith("build FAILURE: build step 0 \"long\" failed: lost the Docker engine");
        // The agent could not clean up through a dead engine; the container still runs on the real one
        // until the agent, restarted with the same key, reaps it.
        assertThat(b.leftOnEngine()).anyMatch(s -> s.startsWith("container "));
        ContainerReaper.reapAgent(TestImages.engine(), b.agentKey);
        assertThat(b.leftOnEngine()).isEmpty();
    }

    @Test
    void an_agent_restarted_after_a_crash_reaps_what_it_left_and_nothing_of_another_agent() throws Exception {
        ContainerBuilds mine = new ContainerBuilds(tmp.resolve("mine"));
        ContainerBuilds other = new ContainerBuilds(tmp.resolve("other"));
        // A crash: steps started, and nothing after (no kill, no release, no clean-up).
        var crashed = start(mine, "crashed");
        var neighbour = start(other, "neighbour");
        assertThat(mine.leftOnEngine()).hasSize(3);   // its container, network, /builder/home volume

        int reaped = ContainerReaper.reapAgent(TestImages.engine(), mine.agentKey);

        assertThat(reaped).isEqualTo(3);
        assertThat(mine.leftOnEngine()).isEmpty();
        assertThat(other.leftOnEngine()).hasSize(3);
        neighbour.kill();
        ContainerReaper.reapAgent(TestImages.engine(), other.agentKey);
        assertThat(other.leftOnEngine()).isEmpty();
        crashed.kill();
    }

    private static Executor.Execution start(ContainerBuilds b, String id) throws Exception {
        ContainerExecutor executor = new ContainerExecutor(TestImages.engine(), b.agentKey, Optional.empty());
        Path workspace = Files.createDirectories(b.work.resolve("workspace"));
        executor.prepare(b.buildId, workspace, b.work.resolve("scratch"));
        return executor.start(b.sh(0, id, "sleep 60"), workspace, b.work.resolve("scratch"));
    }
}
