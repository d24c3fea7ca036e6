package dev.kiln.agent.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.exception.NotFoundException;
import dev.kiln.agent.StepExecutors;
import dev.kiln.spec.plan.StepPlan;
import dev.kiln.spec.protocol.Status;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The docker builder as an agent sets it up ({@code --executor auto} with the machine's engine):
 * {@code gcr.io/cloud-builders/docker} goes to the built-in builder, its {@code --network cloudbuild}
 * is the build's network, and a later step runs in the image it built.
 */
class BuiltInBuilderStepsTest {
    @TempDir Path tmp;

    @Test
    void a_docker_build_on_the_network_cloudbuild_makes_an_image_a_later_step_runs_in_and_leaves_nothing() throws Exception {
        ContainerBuilds b = new ContainerBuilds(tmp);
        String image = "kiln-builder-test/" + UUID.randomUUID().toString().substring(0, 8) + ":1";
        StepExecutors.Setup agent = StepExecutors.create(StepExecutors.Mode.AUTO, StepEnvironment.ofThisUser(), b.agentKey);
        try {
            var api = new BuildRunnerTest.Recorder();
            List<StepPlan> steps = List.of(
                    ContainerBuilds.process(0, "dockerfile",
                            "printf 'FROM " + b.image + "\\nRUN echo built-in-$((6*7)) > /made\\n' > Dockerfile"),
                    new StepPlan(1, "build", "gcr.io/cloud-builders/docker", null,
                            List.of("build", "--network", "cloudbuild", "-t", image, "."), null, List.of(), null,
                            List.of(0), 0, false, List.of(), List.of()),
                    new StepPlan(2, "use", image, null, List.of("cat", "/made"), null, List.of(), null,
                            List.of(1), 0, false, List.of(), List.of()));

            Status status = b.run(api, agent.executor(), steps, 60_000);

            assertThat(status).as(api.log.toString()).isEqualTo(Status.SUCCESS);
            assertThat(api.log.toString())
                    .contains("[kiln] docker builder: docker build runs natively", "built-in-42\n");
            // The network the build step joined was made for it and went with the build.
            assertThat(b.leftOnEngine()).isEmpty();
        } finally {
            try {
                b.engine.client().removeImageCmd(image).withForce(true).exec();
            } catch (NotFoundException never) {
                // the build failed before tagging it
            }
            agent.engine().ifPresent(e -> e.close());
        }
    }
}
