package dev.kiln.agent.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.spec.config.Volume;
import dev.kiln.spec.plan.StepPlan;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the engine is asked to create for a step: a pure function, checked without an engine. */
class ContainerSpecTest {
    static final Path WS = Path.of("/work/builds/b1/workspace");
    static final Path SCRIPT = Path.of("/work/builds/b1/scratch/step-0.sh");

    static StepPlan step(String id, String entrypoint, List<String> args, String script, String dir, List<Volume> volumes) {
        return new StepPlan(0, id, "img:1", entrypoint, args, script, List.of("A=1"), dir, List.of(), 0, false, List.of(),
                List.of(), volumes);
    }

    static ContainerSpec spec(StepPlan step) throws IOException {
        return ContainerSpec.of(step, WS, SCRIPT, "cloudbuild-b1", null, name -> "kiln-b1-" + name);
    }

    @Test
    void args_keep_the_images_entrypoint_and_an_entrypoint_replaces_it() throws Exception {
        assertThat(spec(step("s", null, List.of("make", "test"), null, null, List.of())))
                .satisfies(s -> assertThat(s.entrypoint()).isNull())
                .satisfies(s -> assertThat(s.cmd()).containsExactly("make", "test"));
        assertThat(spec(step("s", "python", List.of("-V"), null, null, List.of())))
                .satisfies(s -> assertThat(s.entrypoint()).containsExactly("python"))
                .satisfies(s -> assertThat(s.cmd()).containsExactly("-V"));
        assertThat(spec(step("s", null, List.of(), null, null, List.of())).cmd()).as("the image's own CMD").isNull();
    }

    @Test
    void the_workspace_is_at_slash_workspace_with_the_steps_dir_below_it() throws Exception {
        ContainerSpec s = spec(step("s", null, List.of("x"), null, "app/src", List.of()));

        assertThat(s.binds()).containsEntry("/workspace", WS.toString());
        assertThat(s.workingDir()).isEqualTo("/workspace/app/src");
        assertThat(spec(step("s", null, List.of("x"), null, null, List.of())).workingDir()).isEqualTo("/workspace");
        assertThatThrownBy(() -> spec(step("s", null, List.of("x"), null, "../up", List.of())))
                .hasMessage("step 's': dir '../up' is outside the workspace");
    }

    @Test
    void a_script_runs_read_only_with_sh_or_its_interpreter_line() throws Exception {
        ContainerSpec plain = spec(step("s", null, List.of(), "echo hi\n", null, List.of()));
        assertThat(plain.entrypoint()).containsExactly("sh", "-e", ContainerSpec.SCRIPT);
        assertThat(plain.cmd()).isEmpty();
        assertThat(plain.binds()).containsEntry(ContainerSpec.SCRIPT, SCRIPT.toString());
        assertThat(plain.readOnly()).containsExactly(ContainerSpec.SCRIPT);
        assertThat(spec(step("s", null, List.of(), "#!/usr/bin/env python3 -u\nprint(1)\n", null, List.of())).entrypoint())
                .containsExactly("/usr/bin/env", "python3 -u", ContainerSpec.SCRIPT);
    }

    @Test
    void env_starts_with_cloud_builds_home_and_the_network_then_the_steps_own() throws Exception {
        assertThat(spec(step("s", null, List.of("x"), null, null, List.of())).env())
                .containsExactly("HOME=/builder/home", "KILN_NETWORK=cloudbuild-b1", "A=1");
    }

    @Test
    void volumes_mount_the_builds_engine_volumes_beside_builder_home() throws Exception {
        ContainerSpec s = spec(step("s", null, List.of("x"), null, null, List.of(new Volume("cache", "/cache"))));

        assertThat(s.mounts()).isEqualTo(Map.of("/builder/home", "kiln-b1-builder-home", "/cache", "kiln-b1-cache"));
    }

    @Test
    void a_step_id_that_is_a_host_name_is_its_alias_on_the_network() throws Exception {
        assertThat(spec(step("unit-tests", null, List.of("x"), null, null, List.of())).aliases()).containsExactly("unit-tests");
        assertThat(spec(step("Step #0", null, List.of("x"), null, null, List.of())).aliases()).isEmpty();
        assertThat(spec(step("svc", null, List.of("x"), null, null, List.of())).networkMode()).isEqualTo("cloudbuild-b1");
    }

    @Test
    void a_step_that_joins_the_builds_network_holder_shares_its_namespace_and_names() throws Exception {
        ContainerSpec s = ContainerSpec.of(step("unit-tests", null, List.of("x"), null, null, List.of()), WS, SCRIPT,
                "cloudbuild-b1", "abc123", name -> "kiln-b1-" + name);

        assertThat(s.networkMode()).isEqualTo("container:abc123");
        assertThat(s.aliases()).as("the holder has the step's id as its alias").isEmpty();
        assertThat(s.env()).contains("KILN_NETWORK=cloudbuild-b1");
    }

    @Test
    void a_piped_step_runs_what_the_engine_would_run_behind_the_shell_that_opens_the_pipe() throws Exception {
        Path pipe = Path.of("/work/builds/b1/scratch/step-0.out");
        List<String> imageEntrypoint = List.of("python3", "-u");
        List<String> imageCmd = List.of("serve.py");

        ContainerSpec own = spec(step("s", "sh", List.of("-c", "make"), null, null, List.of())).piped(pipe, "sha256:1",
                imageEntrypoint, imageCmd);
        assertThat(own.entrypoint()).isEqualTo(ContainerSpec.PIPE_SHELL);
        assertThat(own.cmd()).as("the step's entrypoint and args; not the image's").containsExactly("sh", "-c", "make");
        assertThat(own.pipe()).isEqualTo(pipe.toString());
        assertThat(own.binds()).containsEntry("/kiln/output", pipe.toString()).containsEntry("/workspace", WS.toString());

        assertThat(spec(step("s", null, List.of("train.py"), null, null, List.of())).piped(pipe, "sha256:1", imageEntrypoint,
                imageCmd).cmd()).as("the image's entrypoint, the step's args").containsExactly("python3", "-u", "train.py");
        assertThat(spec(step("s", null, List.of(), null, null, List.of())).piped(pipe, "sha256:1", imageEntrypoint,
                imageCmd).cmd()).as("the image's entrypoint and command").containsExactly("python3", "-u", "serve.py");
        assertThat(spec(step("s", "env", List.of(), null, null, List.of())).piped(pipe, "sha256:1", imageEntrypoint,
                imageCmd).cmd()).as("an entrypoint of the step's drops the image's command").containsExactly("env");
        assertThat(spec(step("s", null, List.of(), null, null, List.of())).piped(pipe, "sha256:1", null, null))
                .as("nothing to run: left to the engine to say so").isNull();
        assertThat(spec(step("s", null, List.of("x"), null, null, List.of())).pipe()).isNull();
    }
}
