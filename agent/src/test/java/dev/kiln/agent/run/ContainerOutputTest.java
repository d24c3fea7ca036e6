package dev.kiln.agent.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.agent.docker.ContainerExecutor;
import dev.kiln.agent.docker.TestImages;
import dev.kiln.spec.plan.StepPlan;
import dev.kiln.spec.protocol.Status;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A container step's output comes through a named pipe the engine does not copy (an engine on this
 * machine): what the step runs is still what the engine would run, in the order the engine puts
 * entrypoint and command together, and an image with no shell for the pipe is attached instead.
 */
class ContainerOutputTest {
    @TempDir Path tmp;

    private static StepPlan step(int index, String image, String entrypoint, List<String> args) {
        return new StepPlan(index, "s" + index, image, entrypoint, args, null, List.of(), null,
                index == 0 ? List.of() : List.of(index - 1), 0, false, List.of(), List.of());
    }

    @Test
    void stdout_and_stderr_reach_the_log_in_the_order_the_step_wrote_them() {
        ContainerBuilds b = new ContainerBuilds(tmp);
        var api = new BuildRunnerTest.Recorder();
        StringBuilder expected = new StringBuilder();
        for (int i = 1; i <= 3000; i++) {
            expected.append("out ").append(i).append('\n').append("err ").append(i).append('\n');
        }

        Status status = b.run(api, List.of(b.sh(0, "both", "i=1; while [ $i -le 3000 ]; do echo \"out $i\"; echo \"err $i\" >&2;"
                + " i=$((i+1)); done")));

        assertThat(status).isEqualTo(Status.SUCCESS);
        assertThat(api.log.toString()).as("one pipe for both: nothing reordered").isEqualTo(expected.toString());
    }

    @Test
    void the_images_entrypoint_and_command_are_used_as_the_engine_would() {
        ContainerBuilds b = new ContainerBuilds(tmp);
        var api = new BuildRunnerTest.Recorder();
        String image = TestImages.withEntrypoint();   // ENTRYPOINT ["echo", "entry"], CMD ["default-cmd"]

        Status status = b.run(api, List.of(step(0, image, null, List.of()), step(1, image, null, List.of("args")),
                step(2, image, "echo", List.of("own", "entrypoint")), step(3, image, "env", List.of())));

        assertThat(status).isEqualTo(Status.SUCCESS);
        String log = api.log.toString();
        assertThat(log).startsWith("entry default-cmd\nentry args\nown entrypoint\n");
        assertThat(log.substring("entry default-cmd\nentry args\nown entrypoint\n".length()))
                .as("a step's entrypoint without args runs without the image's command").contains("HOME=/builder/home\n")
                .doesNotContain("default-cmd");
    }

    @Test
    void an_image_without_a_shell_runs_with_its_output_attached() {
        ContainerBuilds b = new ContainerBuilds(tmp);
        var api = new BuildRunnerTest.Recorder();
        String image = TestImages.withoutShell();   // ENTRYPOINT ["/busybox"], no /bin/sh

        Status status = b.run(api, List.of(step(0, image, null, List.of("echo", "first without a shell")),
                step(1, image, null, List.of("sh", "-c", "echo second; exit 3"))));

        assertThat(status).isEqualTo(Status.FAILURE);
        assertThat(api.log.toString()).contains("first without a shell\n", "second\n");
        assertThat(api.calls).contains("finished 0 SUCCESS", "finished 1 FAILURE");
        assertThat(b.leftOnEngine()).isEmpty();
    }

    @Test
    void a_command_that_does_not_exist_fails_with_the_shells_reason_as_a_process_step_does() {
        ContainerBuilds b = new ContainerBuilds(tmp);
        var api = new BuildRunnerTest.Recorder();

        Status status = b.run(api, List.of(step(0, b.image, null, List.of("no-such-command", "x"))));

        assertThat(status).isEqualTo(Status.FAILURE);
        assertThat(api.log.toString()).contains("no-such-command");
        assertThat(api.calls).last().asString().endsWith("step exited with non-zero status: 127");
    }

    @Test
    void an_engine_elsewhere_attaches_and_the_step_sees_the_same() {
        ContainerBuilds b = new ContainerBuilds(tmp);
        var api = new BuildRunnerTest.Recorder();
        var attached = new StepRouter(new ProcessExecutor(new StepEnvironment(StepEnvironment.DEFAULT_PASS, Optional.empty())),
                new ContainerExecutor(b.engine, b.agentKey, Optional.empty(), false), Map.of());

        Status status = b.run(api, attached, List.of(step(0, TestImages.withEntrypoint(), null, List.of("attached"))), 60_000);

        assertThat(status).isEqualTo(Status.SUCCESS);
        assertThat(api.log.toString()).isEqualTo("entry attached\n");
        assertThat(b.leftOnEngine()).isEmpty();
    }
}
