package dev.kiln.agent.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.kiln.agent.docker.ContainerExecutor;
import dev.kiln.agent.docker.DockerEngine;
import dev.kiln.agent.docker.TestImages;
import dev.kiln.agent.docker.TestRegistry;
import dev.kiln.agent.docker.builder.DockerBuilder;
import dev.kiln.agent.docker.builder.DockerCli;
import dev.kiln.agent.docker.push.ImagePublisher;
import dev.kiln.spec.archive.ArchiveLimits;
import dev.kiln.spec.archive.Tgz;
import dev.kiln.spec.plan.BuildPlan;
import dev.kiln.spec.plan.StepPlan;
import dev.kiln.spec.protocol.Lease;
import dev.kiln.spec.protocol.RegistryCredential;
import dev.kiln.spec.protocol.Status;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A build's {@code images:} through the BuildRunner, the built-in docker builder and the real
 * registry with htpasswd auth: what lands in the registry (its catalog and tags API) and what the
 * build reports.
 */
class ImagesPushTest {
    @TempDir Path tmp;
    DockerEngine engine;
    TestRegistry registry;
    String repo;

    @BeforeEach
    void setUp() {
        engine = TestImages.engine();
        TestImages.busybox();
        registry = TestRegistry.require();
        repo = "kiln-push-test/" + UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterEach
    void removeImages() {
        if (engine == null || repo == null) {
            return;
        }
        for (var img : engine.client().listImagesCmd().exec()) {
            for (String tag : img.getRepoTags() == null ? new String[0] : img.getRepoTags()) {
                if (tag.contains(repo)) {
                    try {
                        engine.client().removeImageCmd(tag).withForce(true).exec();
                    } catch (com.github.dockerjava.api.exception.NotFoundException gone) {
                        // went with an earlier tag of the same image
                    }
                }
            }
        }
    }

    /** The built-in docker builder (no docker CLI: the native path) as the agent routes to it. */
    private Executor builder() {
        ContainerExecutor containers = new ContainerExecutor(engine, "test-" + repo.substring(repo.indexOf('/') + 1),
                Optional.empty());
        return new StepRouter(new ProcessExecutor(StepEnvironment.ofThisUser()), containers,
                Map.of("gcr.io/cloud-builders/docker", new DockerBuilder(engine, DockerCli.none(), containers)));
    }

    private String image(String tag) {
        return registry.host() + "/" + repo + ":" + tag;
    }

    private static StepPlan docker(int index, String... args) {
        return new StepPlan(index, "step" + index, "gcr.io/cloud-builders/docker", null, List.of(args), null, List.of(), null,
                index == 0 ? List.of() : List.of(index - 1), 0, false, List.of(), List.of());
    }

    private Status run(BuildRunnerTest.Recorder api, List<StepPlan> steps, List<String> images, List<RegistryCredential> logins)
            throws Exception {
        api.source = Tgz.archive().file("Dockerfile", "FROM " + TestImages.BUSYBOX + "\nRUN echo served > /index.html\n").bytes();
        Lease lease = new Lease("b", "l", new BuildPlan(BuildPlan.VERSION, "b", 120_000, steps, images),
                "sha256:" + "0".repeat(64), 30_000, 50)
                .withRegistries(logins);
        BuildRunner runner = new BuildRunner(api, builder(), tmp.resolve("work"), 1 << 20,
                false, ArchiveLimits.DEFAULTS, new ImagePublisher(Optional.of(engine)));
        return assertTimeoutPreemptively(Duration.ofSeconds(60), () -> runner.run(lease));
    }

    @Test
    void images_are_pushed_after_the_steps_and_land_in_the_registry_with_their_digests() throws Exception {
        var api = new BuildRunnerTest.Recorder();
        Status status = run(api, List.of(docker(0, "build", "-t", image("1.0"), "-t", image("latest"), ".")),
                List.of(image("1.0"), image("latest")), List.of(registry.login()));

        assertThat(status).as(api.calls.toString()).isEqualTo(Status.SUCCESS);
        assertThat(registry.catalog()).contains(repo);
        assertThat(registry.tags(repo)).containsExactlyInAnyOrder("1.0", "latest");
        String digest = engine.client().inspectImageCmd(image("1.0")).exec().getRepoDigests().stream()
                .filter(d -> d.startsWith(registry.host() + "/" + repo + "@")).findFirst().orElseThrow().replaceAll(".*@", "");
        assertThat(api.calls).containsSubsequence("finished 0 SUCCESS",
                "images [BuiltImage[name=" + image("1.0") + ", digest=" + digest + "], BuiltImage[name=" + image("latest")
                        + ", digest=" + digest + "]]", "build SUCCESS: null");
    }

    @Test
    void wrong_credentials_fail_the_build_with_the_registrys_own_message() throws Exception {
        var api = new BuildRunnerTest.Recorder();
        Status status = run(api, List.of(docker(0, "build", "-t", image("1.0"), ".")), List.of(image("1.0")),
                List.of(new RegistryCredential(registry.host(), registry.user(), "wrong-password")));

        assertThat(status).isEqualTo(Status.FAILURE);
        assertThat(api.calls).last().asString().startsWith("build FAILURE: pushing images failed: " + image("1.0") + ": ")
                .contains("unauthorized: authentication required");
        assertThat(registry.catalog()).doesNotContain(repo);
    }

    @Test
    void no_login_for_the_registry_fails_with_the_engines_message_and_how_to_log_in() throws Exception {
        var api = new BuildRunnerTest.Recorder();
        Status status = run(api, List.of(docker(0, "build", "-t", image("1.0"), ".")), List.of(image("1.0")), List.of());

        assertThat(status).isEqualTo(Status.FAILURE);
        assertThat(api.calls).last().asString().isEqualTo("build FAILURE: pushing images failed: " + image("1.0")
                + ": no basic auth credentials (the server has no login for " + registry.host() + ": kiln registries login "
                + registry.host() + " --username USER --password-stdin)");
    }

    @Test
    void a_registry_that_is_down_fails_the_build_saying_so() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String down = "127.0.0.1:" + port + "/" + repo + ":1";
        var api = new BuildRunnerTest.Recorder();
        Status status = run(api, List.of(docker(0, "build", "-t", down, ".")), List.of(down), List.of());

        assertThat(status).isEqualTo(Status.FAILURE);
        assertThat(api.calls).last().asString().startsWith("build FAILURE: pushing images failed: " + down + ": ")
                .contains("connection refused");
    }

    @Test
    void an_images_entry_no_step_built_fails_the_build_and_nothing_is_pushed() throws Exception {
        var api = new BuildRunnerTest.Recorder();
        Status status = run(api, List.of(docker(0, "build", "-t", image("1.0"), ".")),
                List.of(image("1.0"), image("never-built")), List.of(registry.login()));

        assertThat(status).isEqualTo(Status.FAILURE);
        assertThat(api.calls).last().asString().isEqualTo("build FAILURE: pushing images failed: images: " + image("never-built")
                + " was not built by any step (no such image on this agent's engine); nothing was pushed");
        assertThat(registry.catalog()).doesNotContain(repo);
    }

    @Test
    void a_failed_build_pushes_nothing() throws Exception {
        var api = new BuildRunnerTest.Recorder();
        Status status = run(api, List.of(docker(0, "build", "-t", image("1.0"), "."), docker(1, "tag", "no-such-image", image("x"))),
                List.of(image("1.0")), List.of(registry.login()));

        assertThat(status).isEqualTo(Status.FAILURE);
        assertThat(api.calls).noneMatch(c -> c.startsWith("images"));
        assertThat(registry.catalog()).doesNotContain(repo);
    }

    @Test
    void a_docker_push_step_uses_the_builds_login_and_a_later_step_the_image_an_earlier_one_built() throws Exception {
        var api = new BuildRunnerTest.Recorder();
        Status status = run(api, List.of(docker(0, "build", "-t", "kiln-local/" + repo + ":built", "."),
                        docker(1, "tag", "kiln-local/" + repo + ":built", image("tagged")), docker(2, "push", image("tagged"))),
                List.of(), List.of(registry.login()));

        assertThat(status).as(api.log.toString()).isEqualTo(Status.SUCCESS);
        assertThat(api.log.toString()).contains("docker push runs natively", image("tagged") + ": digest: sha256:");
        assertThat(registry.tags(repo)).containsExactly("tagged");
    }

    @Test
    void a_cancel_during_a_docker_build_ends_the_build_cancelled_with_nothing_tagged_or_pushed() throws Exception {
        var api = new BuildRunnerTest.Recorder() {
            @Override
            public long appendLog(String buildId, String leaseId, int step, long offset, byte[] data, int off, int len) {
                long n = super.appendLog(buildId, leaseId, step, offset, data, off, len);
                if (log.toString().contains("started\n")) {
                    cancel.countDown();
                }
                return n;
            }
        };
        api.source = Tgz.archive().file("Dockerfile", "FROM " + TestImages.BUSYBOX + "\nRUN echo started && sleep 120\n").bytes();
        Lease lease = new Lease("b", "l", new BuildPlan(BuildPlan.VERSION, "b", 120_000,
                List.of(docker(0, "build", "-t", image("slow"), ".")), List.of(image("slow"))),
                "sha256:" + "0".repeat(64), 30_000, 50).withRegistries(List.of(registry.login()));
        BuildRunner runner = new BuildRunner(api, builder(), tmp.resolve("work"), 1 << 20,
                false, ArchiveLimits.DEFAULTS, new ImagePublisher(Optional.of(engine)));

        Status status = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> runner.run(lease));

        assertThat(status).isEqualTo(Status.CANCELLED);
        assertThat(api.calls).containsExactly("started 0", "finished 0 CANCELLED", "build CANCELLED: cancelled");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> engine.client().inspectImageCmd(image("slow")).exec())
                .isInstanceOf(com.github.dockerjava.api.exception.NotFoundException.class);
        assertThat(registry.catalog()).doesNotContain(repo);
    }

    @Test
    void a_registry_password_a_step_prints_is_masked_in_its_log() throws Exception {
        var api = new BuildRunnerTest.Recorder();
        StepPlan leak = new StepPlan(0, "leak", null, null, List.of("sh", "-c", "printf 'pw=%s\\n' \"$0\"; printf 'half %s' \"$0\" | head -c 9; echo",
                "s3cret-pass"), null, List.of(), null, List.of(), 0, false, List.of(), List.of());
        Lease lease = new Lease("b", "l", new BuildPlan(BuildPlan.VERSION, "b", 60_000, List.of(leak), List.of()), null, 30_000, 50)
                .withRegistries(List.of(new RegistryCredential("r.example:5000", "u", "s3cret-pass")));
        api.source = new byte[0];

        Status status = new BuildRunner(api, new ProcessExecutor(StepEnvironment.ofThisUser()), tmp.resolve("work"), 1 << 20, false)
                .run(lease);

        assertThat(status).isEqualTo(Status.SUCCESS);
        assertThat(api.log.toString()).isEqualTo("pw=***\nhalf s3cr\n").doesNotContain("s3cret-pass");
        assertThat(lease.registries().toString()).doesNotContain("s3cret-pass");
    }
}
