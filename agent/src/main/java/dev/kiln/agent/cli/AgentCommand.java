package dev.kiln.agent.cli;

import dev.kiln.agent.Agent;
import dev.kiln.agent.StepExecutors;
import dev.kiln.agent.docker.push.ImagePublisher;
import dev.kiln.agent.http.HttpAgentApi;
import dev.kiln.agent.http.JoinedAgent;
import dev.kiln.agent.run.BuildRunner;
import dev.kiln.agent.run.BuildUser;
import dev.kiln.agent.run.StepEnvironment;
import dev.kiln.agent.run.Trees;
import dev.kiln.spec.archive.ArchiveLimits;
import dev.kiln.spec.protocol.AgentJoined;
import dev.kiln.spec.protocol.AgentRefusedException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kiln agent}: a remote agent that pulls builds from a server. */
@Command(name = "agent", mixinStandardHelpOptions = true, description = "Run an agent that pulls builds from a Kiln server.")
public final class AgentCommand implements Callable<Integer> {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(AgentCommand.class);

    @Option(names = "--server", required = true, description = "Server URL, e.g. http://127.0.0.1:8080.")
    String server;
    @Option(names = "--token-file", description = "File holding the registration token (the server's <data-dir>/agent.token),"
            + " or KILN_AGENT_TOKEN. Needed to join only: the agent then keeps its own credential in its work directory.")
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
    @Option(names = "--name", defaultValue = "agent", description = "A name shown on the server, when the agent joins"
            + " (its id is the name and a random suffix).")
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
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,47}")) {
            System.err.println("ERROR: --name must be 1-48 of A-Z, a-z, 0-9, '.', '_', '-', starting with a letter or digit");
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
        Path credentialFile = work.resolve(JoinedAgent.FILE);
        Optional<JoinedAgent> joined;
        try {
            joined = JoinedAgent.read(credentialFile);
        } catch (java.io.IOException e) {
            System.err.println("ERROR: " + e.getMessage());
            return 2;
        }
        String registration = null;
        if (joined.isEmpty()) {
            registration = tokenFile != null ? Files.readString(tokenFile).strip() : System.getenv("KILN_AGENT_TOKEN");
            if (registration == null || registration.isBlank()) {
                System.err.println("ERROR: --token-file (or KILN_AGENT_TOKEN) is required to join: the server keeps its"
                        + " registration token in <data-dir>/agent.token (kiln agents registration-token shows it)");
                return 2;
            }
        }
        // Workspaces a killed predecessor left behind.
        Trees.delete(work.resolve("builds"));
        var user = BuildUser.forThisProcess(buildUser);
        if (user.isPresent()) {
            user.get().checkCanReach(work);
        } else {
            System.err.println("WARNING: process steps run as this agent's own user, and can read what it can read"
                    + " (" + credentialFile + " among it)"
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
        System.out.println("Kiln agent " + joined.map(JoinedAgent::agentId).orElse(name) + " pulling builds from " + server
                + ", up to " + builds + (builds == 1 ? " build" : " builds") + " at once"
                + (offered.isEmpty() ? "" : ", with labels " + offered)
                + user.map(u -> "; process steps run as " + u.name()).orElse("")
                + "\nSteps: " + steps.description());
        System.out.flush();
        JoinedAgent me = joined.isPresent() ? joined.get() : join(registration, credentialFile);
        if (me == null) {
            return 1;
        }
        HttpAgentApi api = new HttpAgentApi(server, me.credential(), "the server refused this agent's credential (kept in "
                + credentialFile + "): an admin may have disabled agent " + me.agentId() + " (kiln agents enable "
                + me.agentId() + "), or the server's data is not the one it joined (delete the file to join again)");
        // images: are pushed with the engine steps run on; without one, a build that lists them fails saying so.
        var publisher = new ImagePublisher(steps.engine());
        Agent agent = Agent.joined(api, new BuildRunner(api, steps.executor(), work, logCap, true, limits, publisher),
                me.agentId(), offered, builds);
        Runtime.getRuntime().addShutdownHook(new Thread(agent::stop));
        agent.run();
        if (agent.refused().isPresent()) {
            System.err.println("ERROR: " + agent.refused().get().getMessage());
            return 1;
        }
        return 0;
    }

    /**
     * Joins the server with the registration token, retrying while it cannot be reached, and keeps
     * the credential it gets in {@code file}. Null when the server refuses the token (said on stderr).
     */
    private JoinedAgent join(String registration, Path file) throws java.io.IOException, InterruptedException {
        for (int failures = 1; ; failures++) {
            try {
                AgentJoined j = HttpAgentApi.join(server, registration, name, hostname());
                JoinedAgent me = new JoinedAgent(server, j.agentId(), j.credential());
                me.write(file);
                System.out.println("Joined as agent " + me.agentId() + "; its credential is kept in " + file
                        + " (mode 600), and later starts reuse it");
                System.out.flush();
                return me;
            } catch (AgentRefusedException e) {
                System.err.println("ERROR: " + e.getMessage());
                return null;
            } catch (java.io.IOException e) {
                if (failures == 1 || failures % 30 == 0) {
                    log.warn("agent {}: cannot join the server: {}; retrying", name,
                            e.getMessage() != null ? e.getMessage() : e.toString());
                }
                Thread.sleep(Math.min(2_000, 100L * failures));
            }
        }
    }

    private static String hostname() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }
}
