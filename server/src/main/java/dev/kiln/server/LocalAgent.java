package dev.kiln.server;

import dev.kiln.agent.Agent;
import dev.kiln.agent.StepExecutors;
import dev.kiln.agent.docker.DockerEngine;
import dev.kiln.agent.docker.push.ImagePublisher;
import dev.kiln.agent.run.BuildRunner;
import dev.kiln.agent.run.BuildUser;
import dev.kiln.agent.run.StepEnvironment;
import dev.kiln.agent.run.Trees;
import dev.kiln.server.scheduler.Scheduler;
import dev.kiln.spec.protocol.AgentApi;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * The agent {@code kiln server} runs in its own process: its work directory (outside the data
 * directory, reachable by the build user), how it runs steps (containers when an engine answers),
 * its thread, and its stop, which ends its builds saying why before the store closes.
 */
final class LocalAgent {
    private final Agent agent;
    private final Path workDir;
    private final boolean ownWorkDir;
    private final boolean stepsRunAsServer;
    private final String steps;
    private final Optional<DockerEngine> engine;
    private Thread thread;

    private LocalAgent(Agent agent, Path workDir, boolean ownWorkDir, boolean stepsRunAsServer, String steps,
                       Optional<DockerEngine> engine) {
        this.agent = agent;
        this.workDir = workDir;
        this.ownWorkDir = ownWorkDir;
        this.stepsRunAsServer = stepsRunAsServer;
        this.steps = steps;
        this.engine = engine;
    }

    static LocalAgent create(KilnServer.Config config, Path data, AgentApi api, String id) throws IOException {
        Optional<BuildUser> user = BuildUser.forThisProcess(config.buildUser());
        Path workDir = workDir(config, data, user);
        // Auto: steps in images run when a Docker engine answers. Keyed by the data directory when the
        // work directory is a fresh temp one, so a restarted server still finds what it left on the engine.
        StepExecutors.Setup steps = StepExecutors.create(StepExecutors.Mode.AUTO,
                new StepEnvironment(config.passEnv(), user),
                StepExecutors.agentKey(config.workDir() != null ? workDir : data.toAbsolutePath()));
        Agent agent = Agent.joined(api, new BuildRunner(api, steps.executor(), workDir, config.logCap(), false,
                config.sourceLimits(), new ImagePublisher(steps.engine())),
                id, steps.labels(config.localAgentLabels()), config.localAgentMaxBuilds());
        return new LocalAgent(agent, workDir, config.workDir() == null, user.isEmpty(), steps.description(), steps.engine());
    }

    /** How it runs steps (whether it found a Docker engine). */
    String steps() {
        return steps;
    }

    /** Whether its steps run with the server's own rights (the server does not run as root). */
    boolean stepsRunAsServer() {
        return stepsRunAsServer;
    }

    void start() {
        thread = new Thread(agent, "kiln-local-agent");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Its builds die with this process: ends them now, so that they say why instead of waiting for
     * the lease to run out; first, so that the agent's own reports cannot mark steps CANCELLED.
     */
    void stop(Scheduler scheduler) {
        String why = "server stopped during the build";
        scheduler.abandon(agent.id(), why);
        agent.stop();
        if (thread != null) {
            try {
                thread.join(5_000);   // let it kill its steps before the store closes
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        scheduler.abandon(agent.id(), why);   // anything it leased meanwhile
    }

    /** After the store closed: the engine's connection, and a work directory it made for itself. */
    void close() {
        engine.ifPresent(DockerEngine::close);
        if (ownWorkDir) {
            Trees.delete(workDir);
        }
    }

    /** The work directory: outside the data directory, and reachable by the build user. */
    private static Path workDir(KilnServer.Config config, Path data, Optional<BuildUser> user) throws IOException {
        Path dir;
        if (config.workDir() != null) {
            dir = Files.createDirectories(config.workDir()).toAbsolutePath().normalize();
            if (dir.startsWith(data.toAbsolutePath().normalize())) {
                throw new IOException("the work directory " + dir + " must not be inside the data directory " + data);
            }
        } else {
            dir = Files.createTempDirectory("kiln-work-").toAbsolutePath();
        }
        if (user.isPresent()) {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
            user.get().checkCanReach(dir);
        }
        return dir;
    }
}
