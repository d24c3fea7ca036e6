package dev.kiln.agent.cli;

import dev.kiln.agent.Agent;
import dev.kiln.agent.StepExecutors;
import dev.kiln.agent.docker.push.ImagePublisher;
import dev.kiln.agent.http.HttpAgentApi;
import dev.kiln.agent.run.BuildRunner;
import dev.kiln.agent.run.BuildUser;
import dev.kiln.agent.run.StepEnvironment;
import dev.kiln.agent.run.Trees;
import dev.kiln.spec.archive.ArchiveLimits;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kiln agent}: a remote agent that pulls builds from a server. */
@Command(name = "agent", mixinStandardHelpOptions = true, description = "Run an agent that pulls builds from a Kiln server.")
public final class AgentCommand implements Callable<Integer> {
    @Option(names = "--server", required = true, description = "Server URL, e.g. http://127.0.0.1:8080.")
    String server;
    @Option(names = "--token-file", description = "File holding the agent token (the server's <data-dir>/agent.token), or KILN_AGENT_TOKEN.")
    Path tokenFile;
    @Option(names = "--token", hidden = true, description = "Refused: a token on the command line is visible to every user in ps.")
    String token;
    @Option(names = "--labels", split = ",", description = "Labels this agent offers, e.g. gpu,linux.")
    List<String> labels = List.of();
    @Option(names = "--max-builds", paramLabel = "N",
            description = "Builds run at once, each with its own lease and workspace (default: one per core, at most one per 2 GiB of memory).")
    Integer maxBuilds;
    @Option(names = "--workdir", defaultValue = "kiln-agent", description = "Where builds run and sources are cached (default ${DEFAULT-VALUE}).")
    Path workdir;
    @Option(names = "--executor", defaultValue = "auto", description = "docker: steps in images run on the Docker engine"
            + " (DOCKER_HOST, else the local socket), which must answer; process: process steps only; auto (default):"
            + " docker when an engine answers at start. With an engine the agent offers the 'docker' label.")
    String executor;
    @Option(names = "--name", defaultValue = "agent", description = "A name shown on the server.")
    String name;
    @Option(names = "--log-cap", defaultValue = "1073741824", description = "Bytes of log kept per build, head and tail (default 1 GiB).")
    long logCap;
    @Option(names = "--build-user", defaultValue = BuildUser.DEFAULT,
            description = "When run as root, process steps run as this user, made if missing (default ${DEFAULT-VALUE}).")
    String buildUser;
    @Option(names = "--pass-env", split = ",", description = "The agent's variables steps inherit (default PATH,LANG,LC_ALL,TZ; never KILN_*).")
    List<String> passEnv = StepEnvironment.DEFAULT_PASS;
    @Mixin
    SourceLimitOptions sourceLimits;

    @Override
    public Integer call() throws Exception {
        ArchiveLimits limits = sourceLimits.limits();
        if (token != null) {
            System.err.println("ERROR: --token is refused: every user of this machine can read a command line (ps)."
                    + " Put the token in a file only you can read and pass --token-file FILE, or set KILN_AGENT_TOKEN");
            return 2;
        }
        String t = tokenFile != null ? Files.readString(tokenFile).strip() : System.getenv("KILN_AGENT_TOKEN");
        if (t == null || t.isBlank()) {
            System.err.println("ERROR: --token-file (or KILN_AGENT_TOKEN) is required: the server keeps the token in"
                    + " <data-dir>/agent.token");
            return 2;
        }
        if (maxBuilds != null && maxBuilds < 1) {
            System.err.println("ERROR: --max-builds must be 1 or more, not " + maxBuilds);
            return 2;
        }
        int builds = maxBuilds != null ? maxBuilds : Agent.defaultMaxBuilds();
        StepExecutors.Mode mode;
        try {
            mode = StepExecutors.Mode.parse(executor);
        } catch (IllegalArgumentException e) {
            System.err.println("ERROR: " + e.getMessage());
            return 2;
        }
        Path work = Files.createDirectories(workdir).toAbsolutePath();
        // One agent per work directory: held until this process ends, however it ends.
        FileChannel lockFile = FileChannel.open(work.resolve(".agent.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        if (lockFile.tryLock() == null) {
            System.err.println("ERROR: another kiln agent uses the work directory " + work + "; give this one its own --workdir");
            return 2;
        }
        // Workspaces a killed predecessor left behind.
        Trees.delete(work.resolve("builds"));
        var user = BuildUser.forThisProcess(buildUser);
        if (user.isPresent()) {
            user.get().checkCanReach(work);
        } else {
            System.err.println("WARNING: process steps run as this agent's own user, and can read what it can read"
                    + (tokenFile != null ? " (" + tokenFile + " among it)" : "")
                    + ". Run the agent as root to have steps run as '" + buildUser + "'.");
        }
        StepExecutors.Setup steps;
        try {
            steps = StepExecutors.create(mode, new StepEnvironment(passEnv, user), StepExecutors.agentKey(work));
        } catch (java.io.IOException e) {
            System.err.println("ERROR: " + e.getMessage());
            return 2;
        }
        List<String> offered = steps.labels(labels);
        HttpAgentApi api = new HttpAgentApi(server, t.strip());
        // images: are pushed with the engine steps run on; without one, a build that lists them fails saying so.
        var publisher = new ImagePublisher(steps.engine());
        Agent agent = new Agent(api, new BuildRunner(api, steps.executor(), work, logCap, true, limits, publisher), name,
                offered, builds);
        Runtime.getRuntime().addShutdownHook(new Thread(agent::stop));
        System.out.println("Kiln agent " + agent.id() + " pulling builds from " + server
                + ", up to " + builds + (builds == 1 ? " build" : " builds") + " at once"
                + (offered.isEmpty() ? "" : ", with labels " + offered)
                + user.map(u -> "; process steps run as " + u.name()).orElse("")
                + "\nSteps: " + steps.description());
        System.out.flush();
        agent.run();
        if (agent.refused().isPresent()) {
            System.err.println("ERROR: " + agent.refused().get().getMessage());
            return 1;
        }
        return 0;
    }
}
