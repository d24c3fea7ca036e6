package dev.kiln.agent.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.kiln.spec.plan.StepPlan;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessExecutorTest {
    static final Duration LIMIT = Duration.ofSeconds(10);

    @TempDir
    Path tmp;

    Path workspace;
    Path scratch;
    final ProcessExecutor executor = new ProcessExecutor(StepEnvironment.ofThisUser());
    /** A sleep length no other process on the machine uses: it marks this test's processes. */
    final String marker = "300." + ThreadLocalRandom.current().nextInt(100_000_000, 999_999_999);

    @BeforeEach
    void dirs() throws IOException {
        workspace = Files.createDirectory(tmp.resolve("workspace"));
        scratch = tmp.resolve("scratch/nested");
    }

    @AfterEach
    void noStrayProcesses() {
        // Whatever a test does, leave no marked process behind (and fail if one lingers).
        await().atMost(Duration.ofSeconds(5)).until(() -> marked().isEmpty());
    }

    @Test
    void args_alone_are_the_argv() throws Exception {
        var run = executor.start(step(null, List.of("/bin/echo", "hello", "world"), null), workspace, scratch);

        assertThat(output(run)).isEqualTo("hello world\n");
        assertThat(run.waitFor()).isZero();
    }

    @Test
    void the_entrypoint_comes_before_the_args() throws Exception {
        var run = executor.start(step("/bin/sh", List.of("-c", "echo \"$0 $1\"; exit 3", "zero", "one"), null),
                workspace, scratch);

        assertThat(output(run)).isEqualTo("zero one\n");
        assertThat(run.waitFor()).isEqualTo(3);
    }

    @Test
    void a_script_without_shebang_runs_under_sh_minus_e() throws Exception {
        var run = executor.start(script("echo a\nfalse\necho b\n"), workspace, scratch);

        assertThat(output(run)).isEqualTo("a\n");
        assertThat(run.waitFor()).isEqualTo(1);
        assertThat(scratch).isDirectory();
    }

    @Test
    void a_script_with_a_shebang_runs_under_the_interpreter_it_names() throws Exception {
        var run = executor.start(script("#!/bin/sh\nfalse\necho \"still here in ${0##*/}\"\n"), workspace, scratch);

        assertThat(output(run)).isEqualTo("still here in step-0.sh\n");
        assertThat(run.waitFor()).isZero();
    }

    @Test
    void stdout_and_stderr_are_interleaved_as_written() throws Exception {
        var run = executor.start(script("echo out1\necho err1 >&2\necho out2\necho err2 >&2\n"), workspace, scratch);

        assertThat(output(run)).isEqualTo("out1\nerr1\nout2\nerr2\n");
        assertThat(run.waitFor()).isZero();
    }

    @Test
    void the_step_runs_in_its_dir_inside_the_workspace_with_its_env_later_entries_winning() throws Exception {
        StepPlan s = new StepPlan(0, "s", null, null, List.of(), "pwd\necho \"$A $B $KILN_UNSET_X\"\n",
                List.of("A=1", "B=x=y", "A=2", "KILN_UNSET_X="), "sub/deeper", List.of(), 0, false, List.of(), List.of());

        var run = executor.start(s, workspace, scratch);

        assertThat(output(run)).isEqualTo(workspace.toRealPath().resolve("sub/deeper") + "\n2 x=y \n");
        assertThat(run.waitFor()).isZero();
    }

    @Test
    void a_workspace_path_with_dots_still_takes_a_dir_inside_it() throws Exception {
        Path dotted = tmp.resolve("scratch/../workspace/.");
        StepPlan s = new StepPlan(0, "s", null, null, List.of(), "pwd\n",
                List.of(), "sub", List.of(), 0, false, List.of(), List.of());

        var run = executor.start(s, dotted, scratch);

        assertThat(output(run)).isEqualTo(workspace.toRealPath().resolve("sub") + "\n");
    }

    @Test
    void a_dir_outside_the_workspace_is_refused_and_not_created() {
        for (String dir : List.of("../outside", "/tmp/kiln-outside-" + marker, "sub/../../outside2", "..")) {
            StepPlan s = new StepPlan(0, "build", null, null, List.of("/bin/true"), null,
                    List.of(), dir, List.of(), 0, false, List.of(), List.of());

            assertThatThrownBy(() -> executor.start(s, workspace, scratch))
                    .as(dir)
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("outside the workspace")
                    .hasMessageContaining(dir);
        }
        assertThat(tmp.resolve("outside")).doesNotExist();
        assertThat(tmp.resolve("outside2")).doesNotExist();
        assertThat(Path.of("/tmp/kiln-outside-" + marker)).doesNotExist();
    }

    @Test
    void a_step_with_an_image_is_refused_clearly() {
        StepPlan s = new StepPlan(0, "docker-build", "gcr.io/cloud-builders/docker", null, List.of("build", "."), null,
                List.of(), null, List.of(), 0, false, List.of(), List.of());

        assertThatThrownBy(() -> executor.start(s, workspace, scratch))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("docker-build")
                .hasMessageContaining("gcr.io/cloud-builders/docker")
                .hasMessageContaining("process steps only");
    }

    @Test
    void a_missing_program_fails_the_step_with_127_and_names_the_program() throws Exception {
        // The step runs under setsid, which execs the program: a missing one is reported as a shell
        // would (exit 127, the name and the reason in the log), not as an agent error.
        String program = "/no/such/program-" + marker;
        var run = executor.start(step(program, List.of(), null), workspace, scratch);

        assertThat(output(run)).contains(program).contains("No such file or directory");
        assertThat(run.waitFor()).isEqualTo(127);
    }

    @Test
    void a_step_the_os_cannot_start_is_refused_by_the_executor_itself() {
        // Kiln's own "cannot start" branch: a variable the OS cannot hold.
        StepPlan s = new StepPlan(0, "nul", null, null, List.of("/bin/true"), null, List.of("BAD=a\0b"), null,
                List.of(), 0, false, List.of(), List.of());

        assertThatThrownBy(() -> executor.start(s, workspace, scratch)).isInstanceOf(IOException.class)
                .hasMessageStartingWith("step 'nul' cannot start: ");
    }

    @Test
    void kill_stops_the_whole_tree_including_background_and_orphaned_grandchildren() throws Exception {
        var run = executor.start(script(
                "sleep " + marker + " &\n(sleep " + marker + " &)\necho ready\nwait\n"), workspace, scratch);
        BufferedReader out = new BufferedReader(new InputStreamReader(run.output(), StandardCharsets.UTF_8));
        assertTimeoutPreemptively(LIMIT, () -> assertThat(out.readLine()).isEqualTo("ready"));
        await().atMost(LIMIT).until(() -> marked().size() == 2);

        run.kill();

        int exit = assertTimeoutPreemptively(LIMIT, run::waitFor);
        assertThat(exit).isNotZero();
        await().atMost(LIMIT).until(() -> marked().isEmpty());
        assertTimeoutPreemptively(LIMIT, () -> assertThat(out.readLine()).isNull());
    }

    @Test
    void a_log_pump_draining_a_step_ends_cleanly_when_the_step_is_killed() throws Exception {
        RecordingAgentApi server = new RecordingAgentApi();
        var run = executor.start(script("echo before\nsleep " + marker + "\necho after\n"), workspace, scratch);
        var pump = java.util.concurrent.CompletableFuture.runAsync(() -> {
            try {
                new LogPump(new StepLog(server, "b", "l", 0), new LogBudget(LogBudget.DEFAULT_CAP)).pump(run.output());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        await().atMost(LIMIT).until(() -> server.text(0).equals("before\n") && marked().size() == 1);

        run.kill();

        // As BuildRunner does it: the pump sees the end of the output, not an error, and keeps what came.
        assertTimeoutPreemptively(LIMIT, () -> pump.get());
        assertThat(server.text(0)).isEqualTo("before\n");
        assertThat(assertTimeoutPreemptively(LIMIT, run::waitFor)).isNotZero();
    }

    @Test
    void kill_is_idempotent_and_safe_after_the_step_ended() throws Exception {
        var run = executor.start(script("sleep " + marker + "\n"), workspace, scratch);
        await().atMost(LIMIT).until(() -> marked().size() == 1);

        run.kill();
        run.kill();
        assertTimeoutPreemptively(LIMIT, run::waitFor);
        run.kill();

        var done = executor.start(step("/bin/true", List.of(), null), workspace, scratch);
        assertThat(output(done)).isEmpty();
        assertThat(done.waitFor()).isZero();
        done.kill();
        done.kill();
    }

    @Test
    void background_processes_end_with_the_step_so_its_output_ends() throws Exception {
        var run = executor.start(script("sleep " + marker + " &\necho done\n"), workspace, scratch);

        // The sleep holds the output pipe open; it ends only because the step's group is killed.
        assertThat(output(run)).isEqualTo("done\n");
        assertThat(run.waitFor()).isZero();
        await().atMost(LIMIT).until(() -> marked().isEmpty());
    }

    private static StepPlan step(String entrypoint, List<String> args, String dir) {
        return new StepPlan(0, "s", null, entrypoint, args, null, List.of(), dir, List.of(), 0, false, List.of(), List.of());
    }

    private static StepPlan script(String script) {
        return new StepPlan(0, "s", null, null, List.of(), script, List.of(), null, List.of(), 0, false, List.of(), List.of());
    }

    private static String output(Executor.Execution run) {
        return assertTimeoutPreemptively(LIMIT, () -> new String(run.output().readAllBytes(), StandardCharsets.UTF_8));
    }

    /** Live processes whose command line carries this test's marker. */
    private List<ProcessHandle> marked() {
        return ProcessHandle.allProcesses()
                .filter(ProcessHandle::isAlive)
                .filter(h -> h.info().commandLine().map(c -> c.contains(marker)).orElse(false)
                        || h.info().arguments().map(a -> Arrays.asList(a).contains(marker)).orElse(false))
                .toList();
    }
}
