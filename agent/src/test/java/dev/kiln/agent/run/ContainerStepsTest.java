package dev.kiln.agent.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.spec.config.Volume;
import dev.kiln.spec.plan.StepPlan;
import dev.kiln.spec.protocol.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Steps in images on the machine's Docker engine, run by the real runner: what a user's build sees. */
class ContainerStepsTest {
    @TempDir Path tmp;

    @Test
    void a_step_in_an_image_runs_with_its_args_env_dir_and_exit_code() {
        ContainerBuilds b = new ContainerBuilds(tmp);
        var api = new BuildRunnerTest.Recorder();
        StepPlan step = new StepPlan(0, "hello", b.image, "sh", List.of("-c", "echo \"hi $GREETING from $(pwd) as $HOME\";"
                + " echo to-stderr >&2; exit 3"), null, List.of("GREETING=there"), "sub/dir", List.of(), 0, false, List.of(3),
                List.of());

        Status status = b.run(api, List.of(step));

        assertThat(status).isEqualTo(Status.SUCCESS);
        assertThat(api.log.toString()).contains("hi there from /workspace/sub/dir as /builder/home\n", "to-stderr\n");
        assertThat(api.calls).contains("finished 0 FAILURE");   // exit 3, allowed: the build goes on green
        assertThat(b.leftOnEngine()).isEmpty();
    }

    @Test
    void steps_whose_containers_are_made_while_the_step_before_runs_run_as_written() {
        ContainerBuilds b = new ContainerBuilds(tmp);
        var api = new BuildRunnerTest.Recorder();
        // From step 1 on, the engine has the image: the containers of steps 2 and 3 are made ahead
        // (see ContainerFaultsTest for one made and never started).
        List<StepPlan> steps = List.of(b.container(0, "zero", List.of("true"), List.of(), List.of()),
                b.container(1, "one", List.of("sh", "-c", "echo one > one.txt"), List.of(0), List.of()),
                new StepPlan(2, "two", b.image, null, List.of(), "echo \"two $WHO in $(pwd) sees $(cat ../one.txt)\"\n",
                        List.of("WHO=me"), "sub", List.of(1), 0, false, List.of(), List.of()),
                b.container(3, "three", List.of("sh", "-c", "echo three; exit 4"), List.of(2), List.of()));

        Status status = b.run(api, steps);

        assertThat(status).isEqualTo(Status.FAILURE);
        assertThat(api.log.toString()).contains("two me in /workspace/sub sees one\n", "three\n");
        assertThat(api.calls).contains("finished 3 FAILURE").last().asString()
                .endsWith("build step 3 \"three\" failed: step exited with non-zero status: 4");
        assertThat(b.leftOnEngine()).isEmpty();
    }

    @Test
    void a_script_runs_with_the_images_shell_or_its_own_interpreter_line() {
        ContainerBuilds b = new ContainerBuilds(tmp);
        var api = new BuildRunnerTest.Recorder();
        StepPlan plain = new StepPlan(0, "plain", b.image, null, List.of(), "echo one\nfalse\necho never\n", List.of(), null,
                List.of(), 0, true, List.of(), List.of());
        // -x traces to stderr. Only the trace is written, so it has a pipe to itself: output on stdout too
        // would be read apart by the engine, and their bytes may interleave in the log, even mid-line.
        StepPlan shebang = new StepPlan(1, "shebang", b.image, null, List.of(), "#!/bin/sh -x\n: two\n", List.of(), null,
                List.of(0), 0, false, List.of(), List.of());

        Status status = b.run(api, List.of(plain, shebang));

        assertThat(status).isEqualTo(Status.SUCCESS);
        assertThat(api.log.toString()).contains("one\n", "+ : two\n").doesNotContain("never");
    }

    @Test
    void container_and_process_steps_share_the_workspace_both_ways_and_the_build_user_can_delete_what_root_wrote()
            throws Exception {
        Optional<BuildUser> user = BuildUser.forThisProcess(BuildUser.DEFAULT);
        ContainerBuilds b = new ContainerBuilds(tmp);
        var api = new BuildRunnerTest.Recorder();
        List<StepPlan> steps = List.of(
                ContainerBuilds.process(0, "host-writes", "echo from-host > a.txt"),
                b.container(1, "container-reads-and-writes", List.of("sh", "-c",
                        "cat a.txt; mkdir -p made/deep && echo from-container > made/deep/b.txt"), List.of(0), List.of()),
                ContainerBuilds.process(2, "host-reads-changes-deletes",
                        "cat made/deep/b.txt && echo more >> made/deep/b.txt && rm -rf made && ls"));

        Status status = b.run(api, b.executor(user), steps, 60_000);

        assertThat(status).as(api.log.toString()).isEqualTo(Status.SUCCESS);
        assertThat(api.log.toString()).contains("from-host\n", "from-container\n").doesNotContain("Permission denied");
        assertThat(tmp.resolve("builds")).satisfies(d -> assertThat(!Files.exists(d) || Files.list(d).findAny().isEmpty()).isTrue());
    }

    @Test
    void steps_reach_each_other_by_id_on_the_builds_network() {
        ContainerBuilds b = new ContainerBuilds(tmp);
        var api = new BuildRunnerTest.Recorder();
        List<StepPlan> steps = List.of(
                b.container(0, "svc", List.of("sh", "-c", "nc -l -p 8080 -e echo pong-from-svc"), List.of(), List.of()),
                b.container(1, "client", List.of("sh", "-c", "echo network=$KILN_NETWORK;"
                        + " until nc svc 8080 </dev/null; do sleep 0.1; done"), List.of(), List.of()));

        Status status = b.run(api, steps);

        assertThat(status).as(api.log.toString()).isEqualTo(Status.SUCCESS);
        assertThat(api.log.toString()).contains("pong-from-svc\n", "network=cloudbuild-" + b.buildId + "\n");
        assertThat(b.leftOnEngine()).isEmpty();
    }

    @Test
    void a_service_started_on_the_builds_network_outside_kiln_goes_with_the_build() throws Exception {
        ContainerBuilds b = new ContainerBuilds(tmp);
        var containers = new dev.kiln.agent.docker.ContainerExecutor(b.engine, b.agentKey, Optional.empty());
        Path workspace = Files.createDirectories(tmp.resolve("ws"));
        containers.prepare(b.buildId, workspace, tmp.resolve("scratch"));
        String network = containers.network(workspace);
        // As `docker run -d --network cloudbuild ...` from a step would: no labels of Kiln's.
        var docker = b.engine.client();
        String svc = docker.createContainerCmd(b.image).withCmd("sleep", "60")
                .withHostConfig(com.github.dockerjava.api.model.HostConfig.newHostConfig().withNetworkMode(network)
                        .withInit(true)).exec().getId();
        docker.startContainerCmd(svc).exec();
        assertThat(network).isEqualTo("cloudbuild-" + b.buildId);
        assertThat(b.leftOnEngine()).contains("network " + network);

        containers.release(b.buildId, workspace);

        assertThat(b.leftOnEngine()).isEmpty();
        assertThat(docker.listContainersCmd().withShowAll(true).withIdFilter(List.of(svc)).exec()).isEmpty();
    }

    @Test
    void a_build_released_by_a_thread_interrupted_as_its_agent_stops_still_leaves_nothing() throws Exception {
        ContainerBuilds b = new ContainerBuilds(tmp);
        var containers = new dev.kiln.agent.docker.ContainerExecutor(b.engine, b.agentKey, Optional.empty());
        Path workspace = Files.createDirectories(tmp.resolve("ws"));
        containers.prepare(b.buildId, workspace, tmp.resolve("scratch"));
        String network = containers.network(workspace);
        assertThat(b.leftOnEngine()).contains("network " + network);

        Thread.currentThread().interrupt();   // as the agent's stop interrupts a build thread in its clean-up
        try {
            containers.release(b.buildId, workspace);
            assertThat(Thread.currentThread().isInterrupted()).as("the interrupt is kept for the caller").isTrue();
        } finally {
            Thread.interrupted();
        }

        assertThat(b.leftOnEngine()).isEmpty();
    }

    @Test
    void named_volumes_are_shared_by_the_builds_steps_and_removed_with_it() {
        ContainerBuilds b = new ContainerBuilds(tmp);
        var api = new BuildRunnerTest.Recorder();
        List<Volume> cache = List.of(new Volume("cache", "/cache"));
        List<StepPlan> steps = List.of(
                b.container(0, "writer", List.of("sh", "-c", "echo kept > /cache/x; echo home > $HOME/h"), List.of(), cache),
                b.container(1, "reader", List.of("sh", "-c", "cat /cache/x $HOME/h"), List.of(0), cache));

        Status status = b.run(api, steps);

        assertThat(status).as(api.log.toString()).isEqualTo(Status.SUCCESS);
        assertThat(api.log.toString()).contains("kept\nhome\n");
        assertThat(b.leftOnEngine()).isEmpty();
    }

    @Test
    void a_container_steps_log_is_what_it_wrote_byte_for_byte_in_order() {
        ContainerBuilds b = new ContainerBuilds(tmp);
        var api = new BuildRunnerTest.Recorder();

        // 3.4 MB of distinct lines (on stdout only: the engine reads stdout and stderr apart, so their
        // order is a race): any chunk lost, doubled, reordered or overwritten on the way from the
        // engine to the log shows as a wrong line.
        Status status = b.run(api, List.of(b.sh(0, "count", "seq 1 500000")));

        assertThat(status).isEqualTo(Status.SUCCESS);
        StringBuilder want = new StringBuilder();
        for (int i = 1; i <= 500_000; i++) {
            want.append(i).append('\n');
        }
        String log = api.log.toString();
        assertThat(log.length()).isEqualTo(want.length());
        assertThat(log.equals(want.toString())).as("the log equals seq 1 500000 (first lines: %s)",
                log.substring(0, Math.min(40, log.length())).replace('\n', ' ')).isTrue();
    }

    @Test
    void a_container_writing_50_mb_without_a_newline_is_split_as_a_process_step_is() {
        ContainerBuilds b = new ContainerBuilds(tmp);
        var api = new BuildRunnerTest.Recorder();

        Status status = b.run(api, List.of(b.sh(0, "flood", "head -c 52428800 /dev/zero | tr '\\0' x")));

        assertThat(status).isEqualTo(Status.SUCCESS);
        String log = api.log.toString();
        assertThat(log.chars().filter(c -> c == 'x').count()).isEqualTo(52_428_800L);
        List<Integer> lengths = log.lines().map(String::length).distinct().toList();
        assertThat(log.lines().count()).isEqualTo(50);
        assertThat(lengths).containsExactly(LogPump.MAX_LINE);
    }
}
