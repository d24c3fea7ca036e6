package dev.kiln.agent;

import dev.kiln.agent.docker.ContainerExecutor;
import dev.kiln.agent.docker.ContainerLabels;
import dev.kiln.agent.docker.ContainerReaper;
import dev.kiln.agent.docker.DockerEngine;
import dev.kiln.agent.docker.builder.DockerBuilder;
import dev.kiln.agent.run.Executor;
import dev.kiln.agent.run.ProcessExecutor;
import dev.kiln.agent.run.StepEnvironment;
import dev.kiln.agent.run.StepRouter;
import dev.kiln.spec.plan.StepPlan;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How an agent runs steps ({@code --executor}): {@code process} runs process steps only;
 * {@code docker} needs a Docker engine and runs steps in images on it; {@code auto} uses an engine
 * when one answers at start. An agent with an engine offers the {@code docker} label, which builds
 * with steps in images ask for; at start it removes what its crashed predecessor left on the engine.
 */
public final class StepExecutors {
    private static final Logger log = LoggerFactory.getLogger(StepExecutors.class);

    public enum Mode {
        PROCESS, DOCKER, AUTO;

        public static Mode parse(String s) {
            try {
                return valueOf(s.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--executor must be docker, process or auto, not '" + s + "'");
            }
        }
    }

    /** What an agent got: the executor to give its runner, its engine if any, and what to tell the user. */
    public record Setup(Executor executor, Optional<DockerEngine> engine, String description) {
        /** The agent's labels with {@code docker} added when it can run steps in images. */
        public List<String> labels(List<String> asked) {
            List<String> out = new ArrayList<>(asked);
            if (engine.isPresent() && !out.contains(StepPlan.DOCKER_LABEL)) {
                out.add(StepPlan.DOCKER_LABEL);
            }
            return List.copyOf(out);
        }
    }

    private StepExecutors() {}

    /**
     * {@code agentKey}: {@link ContainerLabels#agentKey} of this agent's work directory; the
     * engine's objects under it that a predecessor left are removed here. Throws when
     * {@code docker} is asked for and no engine answers.
     */
    public static Setup create(Mode mode, StepEnvironment env, String agentKey) throws IOException {
        Executor processes = new ProcessExecutor(env);
        if (mode == Mode.PROCESS) {
            return new Setup(new StepRouter(processes, StepRouter.refusing("this agent runs process steps only"
                    + " (--executor process); run the build on an agent with the 'docker' label"), Map.of()),
                    Optional.empty(), "process steps only (--executor process)");
        }
        DockerEngine engine = DockerEngine.fromEnvironment();
        if (!engine.reachable()) {
            engine.close();
            String why = "no Docker engine answers at " + engine.host();
            if (mode == Mode.DOCKER) {
                throw new IOException("--executor docker: " + why + "; start dockerd or set DOCKER_HOST");
            }
            return new Setup(new StepRouter(processes, StepRouter.refusing("this agent found no Docker engine when it"
                    + " started (" + why + "); start dockerd and restart the agent, or run the build on an agent with"
                    + " the 'docker' label"), Map.of()), Optional.empty(),
                    "process steps only: " + why + " (--executor auto)");
        }
        int reaped = reapPredecessor(engine, agentKey);
        ContainerExecutor containers = new ContainerExecutor(engine, agentKey, env.user());
        Setup setup = new Setup(new StepRouter(processes, containers, builders(engine, env, containers)), Optional.of(engine),
                "process steps, and steps in images on the Docker engine at " + engine.host()
                        + (reaped > 0 ? " (removed " + reaped + " containers, networks and volumes a previous run left)" : ""));
        return setup;
    }

    /**
     * Built-in builders: an image name (no tag, or {@code :latest}) to the executor that stands in
     * for it: {@code gcr.io/cloud-builders/docker} and {@code docker} run on this agent's engine.
     * They run as the agent's user whatever {@code env} says (the engine's socket is root anyway), and
     * {@code --network cloudbuild} in them is the build's network, which {@code containers} holds.
     */
    static Map<String, Executor> builders(DockerEngine engine, StepEnvironment env, ContainerExecutor containers) {
        return DockerBuilder.builtIns(engine, containers);
    }

    private static int reapPredecessor(DockerEngine engine, String agentKey) {
        try {
            return ContainerReaper.reapAgent(engine, agentKey);
        } catch (RuntimeException e) {
            log.warn("could not look for containers a previous run of this agent left: {}", e.toString());
            return 0;
        }
    }

    /** The key of an agent working in {@code workdir} on this host. */
    public static String agentKey(Path workdir) {
        return ContainerLabels.agentKey(hostname(), workdir);
    }

    private static String hostname() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** For tests: the same choice for an agent whose steps run as this process's user. */
    static Setup create(Mode mode, Path workdir) throws IOException {
        return create(mode, StepEnvironment.ofThisUser(), agentKey(workdir));
    }
}
