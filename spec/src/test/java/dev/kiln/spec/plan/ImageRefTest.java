package dev.kiln.spec.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ImageRefTest {
    @Test
    void names_split_as_docker_splits_them() {
        assertThat(ImageRef.parse("127.0.0.1:5000/team/app:1.0"))
                .isEqualTo(new ImageRef("127.0.0.1:5000", "127.0.0.1:5000/team/app", "1.0", null));
        assertThat(ImageRef.parse("localhost/app")).isEqualTo(new ImageRef("localhost", "localhost/app", "latest", null));
        assertThat(ImageRef.parse("Ghcr.IO/o/app@sha256:ab")).isEqualTo(new ImageRef("ghcr.io", "Ghcr.IO/o/app", null, "sha256:ab"));
        assertThat(ImageRef.parse("team/app:2").registry()).isEqualTo("docker.io");
        assertThat(ImageRef.parse("python:3.11-slim")).isEqualTo(new ImageRef("docker.io", "python", "3.11-slim", null));
        assertThat(ImageRef.isDockerBuilder("gcr.io/cloud-builders/docker:latest")).isTrue();
        assertThat(ImageRef.isDockerBuilder("docker")).isTrue();
        assertThat(ImageRef.isDockerBuilder("docker.io/library/docker")).isFalse();
        assertThat(ImageRef.isDockerBuilder(null)).isFalse();
    }

    @Test
    void a_pull_asks_for_the_tag_or_the_pinned_digest_and_names_the_registry_it_goes_to() {
        assertThat(ImageRef.parse("busybox")).isEqualTo(new ImageRef("docker.io", "busybox", "latest", null));
        assertThat(ImageRef.parse("localhost:5000/team/app:1.2").pullTag()).isEqualTo("1.2");
        assertThat(ImageRef.parse("localhost:5000/app").pullTag()).isEqualTo("latest");
        assertThat(ImageRef.parse("gcr.io/p/app@sha256:ab").pullTag()).isEqualTo("sha256:ab");
        assertThat(ImageRef.parse("python:3.11-slim").registryText()).isEqualTo("Docker Hub (docker.io)");
        assertThat(ImageRef.parse("gcr.io/p/app:1").registryText()).isEqualTo("gcr.io");
    }

    @Test
    void a_build_pushes_to_the_registries_of_its_images_and_of_its_docker_push_steps_only() {
        StepPlan push = new StepPlan(0, "push", "gcr.io/cloud-builders/docker", null, List.of("push", "-q", "push.example/app:1"),
                null, List.of(), null, List.of(), 0, false, List.of(), List.of());
        StepPlan run = new StepPlan(1, "run", "docker", null, List.of("run", "other.example/app:1"),
                null, List.of(), null, List.of(), 0, false, List.of(), List.of());
        StepPlan elsewhere = new StepPlan(2, "x", "busybox", null, List.of("push", "third.example/app"),
                null, List.of(), null, List.of(), 0, false, List.of(), List.of());
        BuildPlan plan = new BuildPlan(BuildPlan.VERSION, "b", 1000, List.of(push, run, elsewhere), List.of("img.example:5000/a:1", "app"));

        assertThat(ImageRef.pushedRegistries(plan)).containsExactly("img.example:5000", "docker.io", "push.example");
    }
}
