package dev.kiln.server.samples;

import static dev.kiln.server.samples.SampleSetup.docker;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.server.support.TestServer;
import dev.kiln.spec.api.BuildView;
import dev.kiln.spec.json.Json;
import dev.kiln.spec.protocol.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sample's Terraform: its .tf files and the image its terraform steps run in.
 *
 * <p>No Terraform image can be pulled here and Terraform is not in Debian, so the sample's
 * default image is a STAND-IN (setup/terraform-standin/terraform, a busybox script): it is not
 * Terraform, it records each call (directory, arguments, TF_* environment) and writes a plan and a
 * state file. These tests run it with {@code docker run} as a step container runs: the workspace at
 * /workspace, the step's {@code dir} as working directory; then as steps of a Kiln build (once
 * container steps have landed). Where a real terraform binary is on PATH, the same .tf files are
 * applied with it too, offline.
 */
class TerraformStandInTest {
    private static final String IMAGE_REF = "127.0.0.1:5000/churn-service:b-1";
    @TempDir Path tmp;

    private SampleSetup.Run terraform(Path workspace, String dir, List<String> env, String... args) {
        List<String> command = new ArrayList<>(List.of("run", "--rm", "--init", "--user", SampleSetup.user(),
                "-v", workspace + ":/workspace", "-w", "/workspace/" + dir));
        env.forEach(e -> command.addAll(List.of("-e", e)));
        command.add(SampleSetup.terraformStandIn());
        command.addAll(List.of(args));
        return docker(command.toArray(String[]::new));
    }

    @Test
    void init_plan_out_and_apply_run_in_the_step_dir_with_its_environment_and_leave_a_state_file() throws Exception {
        Path ws = SampleSetup.workspace(tmp.resolve("ws"));
        List<String> env = List.of("TF_IN_AUTOMATION=1", "TF_VAR_environment=dev", "TF_VAR_image=" + IMAGE_REF);
        String call = "kiln-terraform-standin: not real Terraform; call: cwd=/workspace/infra args=%s env=TF_IN_AUTOMATION=1 "
                + "TF_VAR_environment=dev TF_VAR_image=" + IMAGE_REF;

        SampleSetup.Run init = terraform(ws, "infra", env, "init", "-input=false").ok();
        assertThat(init.output()).contains(call.formatted("init -input=false"), "Terraform has been successfully initialized!");

        SampleSetup.Run plan = terraform(ws, "infra", env, "plan", "-input=false", "-out=tfplan").ok();
        assertThat(plan.output()).contains(call.formatted("plan -input=false -out=tfplan"),
                "# terraform_data.model_store will be created", "# terraform_data.service will be created",
                "Plan: 2 to add, 0 to change, 0 to destroy.", "Saved the plan to: tfplan");
        assertThat(ws.resolve("infra/tfplan")).content().contains("var image=" + IMAGE_REF, "var environment=dev");

        SampleSetup.Run apply = terraform(ws, "infra", env, "apply", "-input=false", "tfplan").ok();
        assertThat(apply.output()).contains(call.formatted("apply -input=false tfplan"),
                "Apply complete! Resources: 2 added, 0 changed, 0 destroyed.", "image = \"" + IMAGE_REF + "\"");

        var state = Json.MAPPER.readTree(ws.resolve("infra/terraform.tfstate").toFile());
        assertThat(state.path("version").asInt()).isEqualTo(4);
        assertThat(state.path("outputs").path("image").path("value").asText()).isEqualTo(IMAGE_REF);
        List<String> resources = new ArrayList<>();
        state.path("resources").forEach(r -> resources.add(r.path("type").asText() + "." + r.path("name").asText()));
        assertThat(resources).containsExactly("terraform_data.model_store", "terraform_data.service");
        // One record per call, in order, in the directory the steps ran in.
        assertThat(Files.readAllLines(ws.resolve("infra/.kiln-terraform-standin.log")))
                .extracting(l -> l.replaceAll(" env=.*", ""))
                .containsExactly("cwd=/workspace/infra args=init -input=false",
                        "cwd=/workspace/infra args=plan -input=false -out=tfplan",
                        "cwd=/workspace/infra args=apply -input=false tfplan");
    }

    @Test
    void out_of_order_calls_a_wrong_dir_and_a_missing_variable_fail_as_terraform_does() throws Exception {
        Path ws = SampleSetup.workspace(tmp.resolve("ws"));
        List<String> env = List.of("TF_VAR_image=" + IMAGE_REF);

        SampleSetup.Run early = terraform(ws, "infra", env, "plan", "-out=tfplan");
        assertThat(early.exitCode()).isEqualTo(1);
        assertThat(early.output()).contains("Error: Backend initialization required, please run \"terraform init\"");

        terraform(ws, "infra", env, "init").ok();
        SampleSetup.Run noImage = terraform(ws, "infra", List.of(), "plan", "-out=tfplan");
        assertThat(noImage.exitCode()).isEqualTo(1);
        assertThat(noImage.output()).contains("Error: No value for required variable: var.image");
        // -var on the command line counts as well as TF_VAR_*.
        terraform(ws, "infra", List.of(), "plan", "-var", "image=" + IMAGE_REF, "-out=tfplan").ok();

        SampleSetup.Run noPlan = terraform(ws, "infra", env, "apply", "nope.tfplan");
        assertThat(noPlan.exitCode()).isEqualTo(1);
        assertThat(noPlan.output()).contains("Error: Failed to load \"nope.tfplan\" as a plan file");

        SampleSetup.Run wrongDir = terraform(ws, ".", env, "plan");
        assertThat(wrongDir.exitCode()).isEqualTo(1);
        assertThat(wrongDir.output()).contains("Error: No configuration files");
    }

    /**
     * The same three calls as steps of a Kiln build, the way the sample's build.yaml makes them: the
     * image's own entrypoint ({@code terraform}), {@code dir: infra}, the step's {@code env} with a
     * substitution in it, output in each step's log; and a process step after them reads what
     * the containers wrote into the shared workspace.
     */
    @Test
    void kiln_runs_init_plan_out_and_apply_in_the_step_dir_with_the_step_env_and_logs_their_output() throws Exception {
        String image = SampleSetup.terraformStandIn();
        Path repo = tmp.resolve("repo");
        for (String tf : List.of("main.tf", "variables.tf", "outputs.tf")) {
            Files.createDirectories(repo.resolve("infra"));
            Files.copy(SampleSetup.SAMPLE.resolve("infra").resolve(tf), repo.resolve("infra").resolve(tf));
        }
        String step = """
                  - id: tf-%s
                    name: %s
                    dir: infra
                    args: [%s]
                    env: ['TF_IN_AUTOMATION=1', 'TF_VAR_environment=dev', 'TF_VAR_image=$_REGISTRY/churn-service:$BUILD_ID']
                """;
        TestServer.repo(repo, Map.of("build.yaml", "substitutions:\n  _REGISTRY: 127.0.0.1:5000\nsteps:\n"
                + step.formatted("init", image, "init, -input=false")
                + step.formatted("plan", image, "plan, -input=false, -out=tfplan")
                + step.formatted("apply", image, "apply, -input=false, tfplan")
                + "  - id: after\n    script: cat infra/.kiln-terraform-standin.log infra/terraform.tfstate\n"));
        try (TestServer kiln = TestServer.start(tmp.resolve("data"))) {
            BuildView end = kiln.awaitEnd(kiln.submit(repo, Map.of("_REGISTRY", "127.0.0.1:5999")).id(), Duration.ofSeconds(60));
            assertThat(end.status()).as("%s", end).isEqualTo(Status.SUCCESS);
            String ref = "127.0.0.1:5999/churn-service:" + end.id();
            String call = "kiln-terraform-standin: not real Terraform; call: cwd=/workspace/infra args=%s "
                    + "env=TF_IN_AUTOMATION=1 TF_VAR_environment=dev TF_VAR_image=" + ref;
            assertThat(kiln.logText(end.id(), 0)).contains(call.formatted("init -input=false"),
                    "Terraform has been successfully initialized!");
            assertThat(kiln.logText(end.id(), 1)).contains(call.formatted("plan -input=false -out=tfplan"),
                    "Plan: 2 to add, 0 to change, 0 to destroy.", "Saved the plan to: tfplan");
            assertThat(kiln.logText(end.id(), 2)).contains(call.formatted("apply -input=false tfplan"),
                    "Apply complete! Resources: 2 added, 0 changed, 0 destroyed.", "image = \"" + ref + "\"");
            assertThat(kiln.logText(end.id(), 3)).contains("cwd=/workspace/infra args=apply -input=false tfplan",
                    "\"lineage\": \"kiln-terraform-standin\"", "\"value\": \"" + ref + "\"");
        }
    }

    /** The .tf files are real: Terraform itself applies them with no network (skipped without a binary). */
    @Test
    void real_terraform_applies_the_sample_offline_when_a_binary_is_at_hand() throws Exception {
        Path binary = onPath("terraform");
        assumeTrue(binary != null, "skipped: no terraform binary on PATH (Terraform is not in Debian; the stand-in tests above cover the pipeline)");
        Path ws = SampleSetup.workspace(tmp.resolve("ws"));
        Path infra = ws.resolve("infra");
        Path home = Files.createDirectories(tmp.resolve("home"));
        for (List<String> args : List.of(List.of("init", "-input=false"), List.of("plan", "-input=false", "-out=tfplan"),
                List.of("apply", "-input=false", "tfplan"))) {
            List<String> command = new ArrayList<>(List.of("env", "-i", "HOME=" + home, "PATH=/usr/bin:/bin",
                    "TF_IN_AUTOMATION=1", "TF_VAR_image=" + IMAGE_REF, "TF_CLI_CONFIG_FILE=/dev/null", binary.toString()));
            command.add(args.get(0));
            command.add("-no-color");
            command.addAll(args.subList(1, args.size()));
            SampleSetup.Run r = SampleSetup.run(command, infra, 120).ok();
            if (args.get(0).equals("apply")) {
                assertThat(r.output()).contains("Apply complete! Resources: 2 added, 0 changed, 0 destroyed.",
                        "image = \"" + IMAGE_REF + "\"", "service_name = \"churn-service-dev\"");
            }
        }
        var state = Json.MAPPER.readTree(infra.resolve("terraform.tfstate").toFile());
        assertThat(state.path("outputs").path("model_store").path("value").asText()).isEqualTo("churn-service-dev-models");
    }

    private static Path onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path p = Path.of(dir, name);
            if (!dir.isEmpty() && Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}
