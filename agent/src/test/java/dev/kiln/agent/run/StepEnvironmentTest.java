package dev.kiln.agent.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.spec.plan.StepPlan;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a step sees of the agent: an environment from scratch, and (as root) a user of its own. */
class StepEnvironmentTest {
    @TempDir Path tmp;

    @Test
    void the_base_environment_holds_path_home_and_the_allow_list_and_never_kiln_settings() {
        var env = new StepEnvironment(List.of("PATH", "LANG", "KILN_AGENT_TOKEN", "SECRET_NOT_LISTED"), Optional.empty());
        Map<String, String> base = env.base(Map.of("PATH", "/opt/bin:/usr/bin", "LANG", "C.UTF-8",
                "KILN_AGENT_TOKEN", "canary", "KILN_DB_PASSWORD", "canary", "AWS_SECRET_ACCESS_KEY", "canary"), Path.of("/w/home"));

        assertThat(base).containsExactly(Map.entry("PATH", "/opt/bin:/usr/bin"), Map.entry("LANG", "C.UTF-8"),
                Map.entry("HOME", "/w/home"));
    }

    @Test
    void a_step_gets_only_the_secrets_its_secret_env_lists() {
        Map<String, String> values = Map.of("TOKEN", "t0ken-value", "OTHER", "other-value");
        StepPlan lists = new StepPlan(0, "a", null, null, List.of("x"), null, List.of("A=1", "TOKEN=plain"), null,
                List.of(), 0, false, List.of(), List.of("TOKEN"));
        StepPlan none = new StepPlan(1, "b", null, null, List.of("x"), null, List.of("A=1"), null, List.of(), 0, false,
                List.of(), List.of());

        assertThat(StepEnvironment.withSecrets(lists, values).env()).as("the secret last, so it wins")
                .containsExactly("A=1", "TOKEN=plain", "TOKEN=t0ken-value");
        assertThat(StepEnvironment.withSecrets(none, values)).isSameAs(none);
    }

    @Test
    void home_is_the_build_users_else_the_agents_else_the_builds_own() {
        Map<String, String> agentEnv = Map.of("HOME", "/home/agent");
        var asUser = new StepEnvironment(List.of(), Optional.of(new BuildUser("kiln-build", 999, 999, Path.of("/var/lib/kiln-build"))));
        assertThat(asUser.base(agentEnv, Path.of("/w/home"))).containsEntry("HOME", "/var/lib/kiln-build");
        assertThat(StepEnvironment.ofThisUser().base(agentEnv, Path.of("/w/home"))).containsEntry("HOME", "/home/agent");
        assertThat(StepEnvironment.ofThisUser().base(Map.of(), Path.of("/w/home"))).containsEntry("HOME", "/w/home");
    }

    @Test
    void a_step_sees_only_its_own_variables_not_the_agents() throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("b/workspace"));
        var executor = new ProcessExecutor(StepEnvironment.ofThisUser());
        executor.prepare(ws, tmp.resolve("b/scratch"));
        var step = new StepPlan(0, "env", null, null, List.of("/usr/bin/env"), null, List.of("MODEL=churn", "PATH=/usr/bin:/bin"),
                null, List.of(), 0, false, List.of(), List.of());

        var run = executor.start(step, ws, tmp.resolve("b/scratch"));
        String out = new String(run.output().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(run.waitFor()).isZero();

        // This JVM's environment (JAVA_HOME, MAVEN_*, XDG_CONFIG_HOME, ...) stays out; LANG and TZ only if set here.
        Set<String> names = Arrays.stream(out.split("\n")).map(l -> l.substring(0, l.indexOf('='))).collect(Collectors.toSet());
        assertThat(names).contains("PATH", "HOME", "MODEL").isSubsetOf("PATH", "HOME", "MODEL", "LANG", "LC_ALL", "TZ");
        String home = System.getenv("HOME") != null ? System.getenv("HOME") : tmp.resolve("b/home").toString();
        assertThat(out).contains("HOME=" + home, "PATH=/usr/bin:/bin", "MODEL=churn");
    }

    @Test
    void as_root_steps_run_as_the_build_user_who_owns_the_workspace_but_not_the_scripts() throws Exception {
        boolean root = BuildUser.isRoot();
        if (!root && "true".equals(System.getenv("CI"))) {
            throw new AssertionError("CI=true: this test needs root, where steps run as the build user");
        }
        assumeTrue(root, "needs root");
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx--x--x"));
        BuildUser user = BuildUser.forThisProcess(BuildUser.DEFAULT).orElseThrow();
        Path ws = Files.createDirectories(tmp.resolve("b/workspace"));
        Files.writeString(ws.resolve("data.csv"), "a,b\n");
        Path scratch = tmp.resolve("b/scratch");
        var executor = new ProcessExecutor(new StepEnvironment(StepEnvironment.DEFAULT_PASS, Optional.of(user)));
        executor.prepare(ws, scratch);

        // A step leaves a link to a place only root may write; a later step's dir goes through it.
        Path victim = Files.createDirectories(tmp.resolve("root-only"));
        Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rwx------"));
        var plant = new StepPlan(0, "plant", null, null, List.of(), "id -u; ln -s " + victim + " out; echo made > mine.txt",
                List.of(), null, List.of(), 0, false, List.of(), List.of());
        var run = executor.start(plant, ws, scratch);
        String out = new String(run.output().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(run.waitFor()).as(out).isZero();
        assertThat(out.strip()).isEqualTo(String.valueOf(user.uid()));
        assertThat(Files.getAttribute(ws.resolve("mine.txt"), "unix:uid")).isEqualTo(user.uid());
        assertThat(Files.getAttribute(ws.resolve("data.csv"), "unix:uid")).isEqualTo(user.uid());
        assertThat(Files.getAttribute(scratch.resolve("step-0.sh"), "unix:uid")).isEqualTo(0);
        assertThat(user.home()).isDirectory();
        assertThat(Files.getAttribute(user.home(), "unix:uid")).as("the build user's home is its own").isEqualTo(user.uid());

        var through = new StepPlan(1, "through", null, null, List.of("/bin/pwd"), null, List.of(), "out/sub",
                List.of(), 0, false, List.of(), List.of());
        run = executor.start(through, ws, scratch);
        out = new String(run.output().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(run.waitFor()).as("the build user may not enter " + victim).isNotZero();
        assertThat(out).contains("Permission denied");
        assertThat(victim.resolve("sub")).doesNotExist();
    }
}
