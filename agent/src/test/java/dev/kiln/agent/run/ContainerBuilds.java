package dev.kiln.agent.run;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.github.dockerjava.api.DockerClient;
import dev.kiln.agent.docker.ContainerExecutor;
import dev.kiln.agent.docker.ContainerLabels;
import dev.kiln.agent.docker.DockerEngine;
import dev.kiln.agent.docker.TestImages;
import dev.kiln.spec.config.Volume;
import dev.kiln.spec.plan.BuildPlan;
import dev.kiln.spec.plan.StepPlan;
import dev.kiln.spec.protocol.Lease;
import dev.kiln.spec.protocol.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Builds of container and process steps run by a real {@link BuildRunner} on the machine's Docker
 * engine, each with a fresh build id (other suites use the engine at the same time), and what the
 * engine still holds of a build afterwards.
 */
final class ContainerBuilds {
    final DockerEngine engine;
    final String image = TestImages.busybox();
    final String buildId = "test-" + UUID.randomUUID();
    final String agentKey = "test-" + UUID.randomUUID().toString().substring(0, 8);
    final Path work;

    ContainerBuilds(Path work) {
        this(TestImages.engine(), work);
    }

    ContainerBuilds(DockerEngine engine, Path work) {
        this.engine = engine;
        this.work = work;
    }

    /** An executor that runs process steps here and image steps on {@link #engine}, files going back to {@code user}. */
    Executor executor(Optional<BuildUser> user) {
        return new StepRouter(new ProcessExecutor(new StepEnvironment(StepEnvironment.DEFAULT_PASS, user)),
                new ContainerExecutor(engine, agentKey, user), Map.of());
    }

    Status run(BuildRunnerTest.Recorder api, List<StepPlan> steps) {
        return run(api, executor(Optional.empty()), steps, 60_000);
    }

    Status run(BuildRunnerTest.Recorder api, Executor executor, List<StepPlan> steps, long timeoutMillis) {
        Lease lease = new Lease(buildId, "l", new BuildPlan(BuildPlan.VERSION, buildId, timeoutMillis, steps, List.of()),
                null, 30_000, 50);
        return assertTimeoutPreemptively(Duration.ofSeconds(60), () ->
                new BuildRunner(api, executor, work, 256L << 20, false).run(lease));
    }

    /** A step in {@link #image} running {@code sh -c command}. */
    StepPlan sh(int index, String id, String command) {
        return container(index, id, List.of("sh", "-c", command), List.of(), List.of());
    }

    StepPlan container(int index, String id, List<String> args, List<Integer> waitFor, List<Volume> volumes) {
        return new StepPlan(index, id, image, null, args, null, List.of(), null, waitFor, 0, false, List.of(), List.of(),
                volumes);
    }

    /** A process step that waits for the one before it. */
    static StepPlan process(int index, String id, String command) {
        return new StepPlan(index, id, null, null, List.of("sh", "-c", command), null, List.of(), null,
                index == 0 ? List.of() : List.of(index - 1), 0, false, List.of(), List.of());
    }

    /** Containers, networks and volumes on the engine labelled with this build: what it left. */
    List<String> leftOnEngine() {
        DockerClient d = TestImages.engine().client();
        Map<String, String> label = Map.of(ContainerLabels.BUILD, buildId);
        List<String> left = new ArrayList<>();
        d.listContainersCmd().withShowAll(true).withLabelFilter(label).exec().forEach(c -> left.add("container " + c.getId()));
        d.listNetworksCmd().withFilter("label", List.of(ContainerLabels.BUILD + "=" + buildId)).exec()
                .forEach(n -> left.add("network " + n.getName()));
        var volumes = d.listVolumesCmd().withFilter("label", List.of(ContainerLabels.BUILD + "=" + buildId)).exec().getVolumes();
        if (volumes != null) {
            volumes.forEach(v -> left.add("volume " + v.getName()));
        }
        return left;
    }
}
