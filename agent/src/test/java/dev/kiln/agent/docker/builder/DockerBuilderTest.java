package dev.kiln.agent.docker.builder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.exception.NotFoundException;
import dev.kiln.agent.docker.ContainerExecutor;
import dev.kiln.agent.docker.DockerEngine;
import dev.kiln.agent.docker.TestImages;
import dev.kiln.spec.plan.StepPlan;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The built-in docker builder against the real engine: what a user reads in the step's log and finds in the image. */
class DockerBuilderTest {
    @TempDir Path tmp;
    DockerEngine engine;
    String base;
    Path workspace;
    Path scratch;
    /** A tag prefix of this test's own, removed afterwards. */
    String name;
    /** Holds the build's network, as on an agent: made on demand, removed with the build. */
    ContainerExecutor containers;
    String buildId;

    @BeforeEach
    void setUp() throws Exception {
        engine = TestImages.engine();
        base = TestImages.busybox();
        workspace = Files.createDirectories(tmp.resolve("workspace"));
        scratch = Files.createDirectories(tmp.resolve("scratch"));
        name = "kiln-builder-test/" + UUID.randomUUID().toString().substring(0, 8);
        buildId = "b" + UUID.randomUUID().toString().substring(0, 8);
        containers = new ContainerExecutor(engine, "test-" + buildId, Optional.empty());
        containers.prepare(buildId, workspace, scratch);
    }

    @AfterEach
    void releaseBuild() {
        if (containers != null) {   // null when the test was skipped for want of an engine
            containers.release(buildId, workspace);
        }
    }

    @AfterEach
    void removeImages() {
        if (engine == null) {
            return;
        }
        for (var img : engine.client().listImagesCmd().withShowAll(true).exec()) {
            for (String tag : img.getRepoTags() == null ? new String[0] : img.getRepoTags()) {
                if (tag.startsWith(name)) {
                    try {
                        engine.client().removeImageCmd(tag).withForce(true).exec();
                    } catch (NotFoundException gone) {
                        // removed with an earlier tag of the same image
                    }
                }
            }
        }
    }

    private DockerBuilder nativeOnly() {
        return new DockerBuilder(engine, DockerCli.none(), containers);
    }

    @Test
    void build_takes_several_tags_a_dockerfile_build_args_labels_and_a_target_with_no_docker_cli() throws Exception {
        Path svc = Files.createDirectories(workspace.resolve("svc/docker"));
        Files.writeString(svc.resolve("Service.dockerfile"), """
                FROM %s AS base
                ARG GREETING=unset
                ARG FROM_ENV=unset
                RUN echo "$GREETING" > /greeting && echo "$FROM_ENV" > /from-env
                FROM base AS final
                RUN echo final > /stage
                FROM base AS other
                RUN echo other > /stage
                """.formatted(base));
        StepPlan step = Steps.docker("svc", List.of("FROM_ENV=from the step's env"), "build", "-t", name + ":a", "--tag=" + name + ":b",
                "-f", "docker/Service.dockerfile", "--build-arg", "GREETING=hello there", "--build-arg", "FROM_ENV",
                "--label", "team=ml", "--label=version=1.0", "--target", "final", ".");

        Steps.Ran ran = Steps.run(nativeOnly(), step, workspace, scratch);

        assertThat(ran.exit()).as(ran.log()).isZero();
        assertThat(ran.log()).startsWith("[kiln] docker builder: docker build runs natively (docker-java, the engine's legacy builder)\n")
                .contains("Step 1/", "Successfully tagged " + name + ":a", "Successfully tagged " + name + ":b");
        var a = engine.client().inspectImageCmd(name + ":a").exec();
        assertThat(engine.client().inspectImageCmd(name + ":b").exec().getId()).isEqualTo(a.getId());
        assertThat(a.getConfig().getLabels()).containsEntry("team", "ml").containsEntry("version", "1.0");
        assertThat(Steps.cat(engine, name + ":a", "/greeting")).isEqualTo("hello there");
        assertThat(Steps.cat(engine, name + ":a", "/from-env")).isEqualTo("from the step's env");
        assertThat(Steps.cat(engine, name + ":a", "/stage")).isEqualTo("final");
    }

    @Test
    void the_context_leaves_out_what_dockerignore_says_and_keeps_modes_as_the_cli_does() throws Exception {
        Files.writeString(workspace.resolve("Dockerfile"), "FROM " + base + "\nCOPY . /ctx\n");
        Files.writeString(workspace.resolve(".dockerignore"), "# comment\nsecret.txt\nbuild\n!build/keep.txt\n**/*.tmp\n");
        Files.writeString(workspace.resolve("secret.txt"), "no");
        Files.writeString(workspace.resolve("run.sh"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(workspace.resolve("run.sh"), java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-x---"));
        Files.createDirectories(workspace.resolve("build/deep"));
        Files.writeString(workspace.resolve("build/keep.txt"), "kept");
        Files.writeString(workspace.resolve("build/other.txt"), "no");
        Files.createDirectories(workspace.resolve("src/a"));
        Files.writeString(workspace.resolve("src/a/x.tmp"), "no");
        Files.writeString(workspace.resolve("src/a/x.py"), "yes");

        Steps.Ran ran = Steps.run(nativeOnly(), Steps.docker(null, List.of(), "build", "-t", name + ":ctx", "."), workspace, scratch);

        assertThat(ran.exit()).as(ran.log()).isZero();
        var client = engine.client();
        String id = client.createContainerCmd(name + ":ctx").withCmd("sh", "-c", "cd /ctx && find . | sort && stat -c '%a %u' run.sh").exec().getId();
        StringBuilder out = new StringBuilder();
        try {
            client.startContainerCmd(id).exec();
            client.waitContainerCmd(id).start().awaitStatusCode();
            client.logContainerCmd(id).withStdOut(true).withStdErr(true).exec(new com.github.dockerjava.api.async.ResultCallback.Adapter<
                    com.github.dockerjava.api.model.Frame>() {
                @Override
                public void onNext(com.github.dockerjava.api.model.Frame f) {
                    out.append(new String(f.getPayload(), StandardCharsets.UTF_8));
                }
            }).awaitCompletion();
        } finally {
            client.removeContainerCmd(id).withForce(true).exec();
        }
        assertThat(out.toString().lines().toList()).containsExactly(".", "./.dockerignore", "./Dockerfile", "./build",
                "./build/keep.txt", "./run.sh", "./src", "./src/a", "./src/a/x.py", "750 0");
    }

    @Test
    void a_failing_build_fails_the_step_with_the_engines_message_after_the_build_output() throws Exception {
        String marker = "about to fail " + java.util.UUID.randomUUID();
        Files.writeString(workspace.resolve("Dockerfile"), "FROM " + base + "\nRUN echo " + marker + " && exit 3\n");

        Steps.Ran ran = Steps.run(nativeOnly(), Steps.docker(null, List.of(), "build", "-t", name + ":x", "."), workspace, scratch);

        assertThat(ran.exit()).isEqualTo(1);
        assertThat(ran.log()).contains(marker)
                .endsWith("The command '/bin/sh -c echo " + marker + " && exit 3' returned a non-zero code: 3\n");
        assertThatThrownBy(() -> engine.client().inspectImageCmd(name + ":x").exec()).isInstanceOf(NotFoundException.class);
        // Nor is the failed RUN's container left on the engine.
        assertThat(engine.client().listContainersCmd().withShowAll(true).exec())
                .noneMatch(c -> c.getCommand() != null && c.getCommand().contains(marker));
    }

    @Test
    void a_missing_context_or_dockerfile_fails_the_step_saying_which() throws Exception {
        Steps.Ran noContext = Steps.run(nativeOnly(), Steps.docker(null, List.of(), "build", "-t", name, "nowhere"), workspace, scratch);
        assertThat(noContext.exit()).isEqualTo(1);
        assertThat(noContext.log()).contains("unable to prepare context: path \"nowhere\" not found");

        Files.createDirectories(workspace.resolve("empty"));
        Steps.Ran noFile = Steps.run(nativeOnly(), Steps.docker(null, List.of(), "build", "-t", name, "empty"), workspace, scratch);
        assertThat(noFile.exit()).isEqualTo(1);
        assertThat(noFile.log()).contains("no such file: Dockerfile");
    }

    @Test
    void a_context_outside_the_workspace_is_refused() {
        assertThatThrownBy(() -> nativeOnly().start(Steps.docker(null, List.of(), "build", "-t", name, "../.."), workspace, scratch))
                .hasMessageContaining("must be inside the workspace");
    }

    @Test
    void tag_refers_to_an_image_built_earlier_by_its_tag_and_a_missing_one_is_named() throws Exception {
        Files.writeString(workspace.resolve("Dockerfile"), "FROM " + base + "\nRUN echo one > /one\n");
        assertThat(Steps.run(nativeOnly(), Steps.docker(null, List.of(), "build", "-t", name + ":built", "."), workspace, scratch).exit()).isZero();

        Steps.Ran tag = Steps.run(nativeOnly(), Steps.docker(null, List.of(), "tag", name + ":built", name + "/copy:v2"), workspace, scratch);
        assertThat(tag.exit()).as(tag.log()).isZero();
        assertThat(Steps.cat(engine, name + "/copy:v2", "/one")).isEqualTo("one");

        Steps.Ran missing = Steps.run(nativeOnly(), Steps.docker(null, List.of(), "tag", name + ":never", name + ":other"), workspace, scratch);
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.log()).contains("No such image: " + name + ":never");
    }

    @Test
    void a_subcommand_with_no_native_form_needs_the_cli_and_says_so_when_there_is_none() {
        assertThatThrownBy(() -> nativeOnly().start(Steps.docker(null, List.of(), "images"), workspace, scratch))
                .hasMessageContaining("'docker images' has no native form, which needs the docker CLI, and this agent has none on its PATH");
    }

    @Test
    void a_subcommand_with_no_native_form_runs_the_cli_with_the_engines_socket() throws Exception {
        DockerCli clis = DockerCli.onPath(System.getenv("PATH"));
        TestImages.engine();
        org.junit.jupiter.api.Assumptions.assumeTrue(clis.any().isPresent() || "true".equals(System.getenv("CI")),
                "skipped: needs a docker CLI");
        Steps.Ran ran = Steps.run(new DockerBuilder(engine, clis, containers),
                Steps.docker(null, List.of(), "image", "inspect", "--format", "id={{.Id}}", base), workspace, scratch);

        assertThat(ran.exit()).as(ran.log()).isZero();
        assertThat(ran.log()).startsWith("[kiln] docker builder: docker CLI (" + clis.any().get() + ") with the engine's socket\n")
                .contains("id=" + engine.client().inspectImageCmd(base).exec().getId());
    }

    @Test
    void docker_run_on_the_network_cloudbuild_joins_the_builds_network_and_finds_a_service_by_name() throws Exception {
        DockerCli clis = DockerCli.onPath(System.getenv("PATH"));
        org.junit.jupiter.api.Assumptions.assumeTrue(clis.any().isPresent() || "true".equals(System.getenv("CI")),
                "skipped: needs a docker CLI");
        String network = "cloudbuild-" + buildId;
        DockerBuilder builder = new DockerBuilder(engine, clis, containers);
        // No container step ran: the builder has the container executor make the build's network.
        Steps.Ran svc = Steps.run(builder, Steps.docker(null, List.of(), "run", "-d", "--network", "cloudbuild", "--name",
                "svc-" + buildId, base, "sh", "-c", "echo pong | nc -l -p 8080"), workspace, scratch);
        assertThat(svc.exit()).as(svc.log()).isZero();
        assertThat(svc.log()).contains("--network cloudbuild is this build's network, " + network);

        Steps.Ran client = Steps.run(builder, Steps.docker(null, List.of(), "run", "--rm", "--network=cloudbuild", base,
                "sh", "-c", "for i in 1 2 3 4 5 6 7 8 9 10; do nc svc-" + buildId + " 8080 </dev/null && exit 0; sleep 0.2; done;"
                        + " exit 1"), workspace, scratch);
        assertThat(client.exit()).as(client.log()).isZero();
        assertThat(client.log()).contains("pong");

        // The build's end removes the network and the service a step started on it.
        containers.release(buildId, workspace);
        assertThat(engine.client().listNetworksCmd().withNameFilter(network).exec())
                .noneMatch(n -> n.getName().equals(network));
        assertThat(engine.client().listContainersCmd().withShowAll(true).withNameFilter(List.of("svc-" + buildId)).exec())
                .isEmpty();
    }

    @Test
    void a_dockerfile_that_needs_buildkit_goes_to_a_cli_that_has_it_and_without_one_the_step_says_why() throws Exception {
        Files.writeString(workspace.resolve("Dockerfile"), "FROM " + base + "\nRUN --mount=type=tmpfs,target=/t echo kit > /kit\n");
        StepPlan step = Steps.docker(null, List.of(), "build", "-t", name + ":kit", ".");

        assertThatThrownBy(() -> nativeOnly().start(step, workspace, scratch))
                .hasMessageContaining("the Dockerfile needs BuildKit (RUN --mount, line 2), which needs the docker CLI with BuildKit");

        DockerCli clis = DockerCli.onPath(System.getenv("PATH"));
        org.junit.jupiter.api.Assumptions.assumeTrue(clis.withBuildKit().isPresent() || "true".equals(System.getenv("CI")),
                "skipped: needs a docker CLI that can build with BuildKit");
        Steps.Ran ran = Steps.run(new DockerBuilder(engine, clis, containers), step, workspace, scratch);
        assertThat(ran.exit()).as(ran.log()).isZero();
        assertThat(ran.log()).startsWith("[kiln] docker builder: docker CLI (" + clis.withBuildKit().get()
                + ") with DOCKER_BUILDKIT=1: the Dockerfile needs BuildKit (RUN --mount, line 2)\n");
        assertThat(Steps.cat(engine, name + ":kit", "/kit")).isEqualTo("kit");
    }

    @Test
    void a_kill_during_a_build_stops_it_on_the_engine_and_tags_nothing() throws Exception {
        Files.writeString(workspace.resolve("Dockerfile"), "FROM " + base + "\nRUN echo started && sleep 120\n");
        var ex = nativeOnly().start(Steps.docker(null, List.of(), "build", "-t", name + ":slow", "."), workspace, scratch);
        BufferedReader lines = new BufferedReader(new InputStreamReader(ex.output(), StandardCharsets.UTF_8));
        String line;
        while ((line = lines.readLine()) != null && !line.equals("started")) {
            // read until the RUN is under way
        }
        assertThat(line).isEqualTo("started");

        ex.kill();
        while (lines.readLine() != null) {
            // the rest, to the end
        }

        assertThat(ex.waitFor()).isEqualTo(NativeRun.KILLED);
        assertThatThrownBy(() -> engine.client().inspectImageCmd(name + ":slow").exec()).isInstanceOf(NotFoundException.class);
        // The engine removes the RUN's container when the client goes; nothing is left running the sleep.
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(engine.client().listContainersCmd().exec())
                        .noneMatch(c -> c.getCommand() != null && c.getCommand().contains("sleep 120")));
    }
}
