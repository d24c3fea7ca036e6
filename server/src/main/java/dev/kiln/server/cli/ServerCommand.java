package dev.kiln.server.cli;

import dev.kiln.agent.Agent;
import dev.kiln.agent.cli.SourceLimitOptions;
import dev.kiln.agent.run.BuildUser;
import dev.kiln.agent.run.StepEnvironment;
import dev.kiln.agent.cli.ServerStatusCommand;
import dev.kiln.server.KilnServer;
import dev.kiln.server.artifacts.ArtifactLimits;
import dev.kiln.server.disk.DiskSpace;
import dev.kiln.server.disk.MinFree;
import dev.kiln.server.retention.RetentionPolicy;
import dev.kiln.spec.api.LocalServers;
import dev.kiln.spec.archive.Sizes;
import dev.kiln.spec.config.Durations;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kiln server}: the server with its embedded agent. */
@Command(name = "server", mixinStandardHelpOptions = true, description = "Run the Kiln server (and an embedded agent).",
        subcommands = ServerStatusCommand.class)
final class ServerCommand implements Callable<Integer> {
    private static final Set<String> WILDCARD = Set.of("0.0.0.0", "::", "[::]", "0:0:0:0:0:0:0:0");

    @Option(names = "--host", description = "Address to listen on (default ${DEFAULT-VALUE}).", defaultValue = "127.0.0.1")
    String host;
    @Option(names = "--port", description = "Port (default ${DEFAULT-VALUE}; 0 picks a free one).", defaultValue = "8080")
    int port;
    @Option(names = "--public-url", description = "The URL people reach this server at, when not one of its own addresses.")
    String publicUrl;
    @Option(names = "--data-dir", description = "Database, logs and sources (default ${DEFAULT-VALUE}).", defaultValue = "kiln-data")
    Path dataDir;
    @Option(names = "--work-dir", description = "Where the embedded agent runs builds (default: a new directory under the system's temp directory).")
    Path workDir;
    @Option(names = "--db-url", description = "JDBC URL (default: an H2 file in the data directory).")
    String dbUrl;
    @Option(names = "--db-user") String dbUser;
    @Option(names = "--db-password-file", description = "File holding the database password (or KILN_DB_PASSWORD).")
    Path dbPasswordFile;
    @Option(names = "--db-password", hidden = true) String dbPassword;
    @Option(names = "--no-local-agent", description = "Do not start the embedded agent.")
    boolean noLocalAgent;
    @Option(names = "--agent-labels", split = ",", description = "Labels of the embedded agent.")
    List<String> labels = List.of();
    @Option(names = "--max-builds", paramLabel = "N",
            description = "Builds the embedded agent runs at once (default: one per core, at most one per 2 GiB of memory).")
    Integer maxBuilds;
    @Option(names = "--build-user", defaultValue = BuildUser.DEFAULT,
            description = "When run as root, the embedded agent's steps run as this user, made if missing (default ${DEFAULT-VALUE}).")
    String buildUser;
    @Option(names = "--pass-env", split = ",", description = "The server's variables steps inherit (default PATH,LANG,LC_ALL,TZ; never KILN_*).")
    List<String> passEnv = StepEnvironment.DEFAULT_PASS;
    @Option(names = "--lease-timeout", defaultValue = "30s", description = "An agent silent this long is lost (default ${DEFAULT-VALUE}).")
    String leaseTimeout;
    @Option(names = "--heartbeat", defaultValue = "10s", description = "How often agents renew their lease (default ${DEFAULT-VALUE}).")
    String heartbeat;
    @Option(names = "--log-cap", defaultValue = "1073741824", description = "Bytes of log kept per build, head and tail (default 1 GiB).")
    long logCap;
    @Mixin
    SourceLimitOptions sourceLimits;
    @Option(names = "--keep-days", paramLabel = "N", defaultValue = "30",
            description = "Remove ended builds (logs, sources) N days after they ended; 0: no limit (default ${DEFAULT-VALUE}).")
    int keepDays;
    @Option(names = "--keep-builds", paramLabel = "N", defaultValue = "100",
            description = "Keep only the last N builds of each config (a git build's: its trigger); 0: no limit (default ${DEFAULT-VALUE}).")
    int keepBuilds;
    @Option(names = MinFree.SETTING, paramLabel = "SIZE|P%",
            description = "Refuse new builds while the data directory's disk has less free (default: the smaller of 1GiB and 5%; 0: never).")
    String minFreeDisk;

    @Option(names = ArtifactLimits.BUILD_SETTING, paramLabel = "SIZE",
            description = "What one build may keep as artifacts in all, e.g. 4GiB (default ${DEFAULT-VALUE}).")
    String artifactLimit = Sizes.format(ArtifactLimits.DEFAULTS.perBuild());
    @Option(names = ArtifactLimits.FILE_SETTING, paramLabel = "SIZE",
            description = "The largest artifact file a build may keep (default ${DEFAULT-VALUE}).")
    String artifactFileLimit = Sizes.format(ArtifactLimits.DEFAULTS.perFile());

    @Option(names = "--public-read",
            description = "Let anyone who reaches the server read builds and logs without signing in (open-source projects).")
    boolean publicRead;

    @Override
    public Integer call() throws Exception {
        if (dbPassword != null) {
            System.err.println("ERROR: --db-password is refused: every user of this machine, and every build step on it,"
                    + " can read a command line (ps). Use --db-password-file FILE or KILN_DB_PASSWORD");
            return 2;
        }
        Duration lease = Durations.parse(leaseTimeout).orElseThrow(() -> new IllegalArgumentException("--lease-timeout: not a duration"));
        Duration beat = Durations.parse(heartbeat).orElseThrow(() -> new IllegalArgumentException("--heartbeat: not a duration"));
        if (maxBuilds != null && maxBuilds < 1) {
            System.err.println("ERROR: --max-builds must be 1 or more, not " + maxBuilds);
            return 2;
        }
        int builds = maxBuilds != null ? maxBuilds : Agent.defaultMaxBuilds();
        String password = dbPasswordFile != null ? Files.readString(dbPasswordFile).strip() : System.getenv("KILN_DB_PASSWORD");
        var config = new KilnServer.Config(host, port, dataDir, dbUrl, dbUser, password, !noLocalAgent, labels, lease, beat,
                logCap, "kiln", publicUrl, workDir, buildUser, passEnv, sourceLimits.limits(), builds, publicRead);
        var upkeep = new KilnServer.Upkeep(RetentionPolicy.DEFAULTS.withLimits(keepDays, keepBuilds),
                minFreeDisk == null ? MinFree.DEFAULT : MinFree.parse(minFreeDisk), DiskSpace.system(),
                ArtifactLimits.of(artifactLimit, artifactFileLimit));
        KilnServer server = new KilnServer(config, upkeep).start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }));
        LocalServers.register(server.port(), server.adminTokenFile());
        Path data = dataDir.toAbsolutePath();
        System.out.println("Kiln server listening on " + server.url());
        List<String> reach = reachableAt(server.url(), server.port());
        if (!reach.equals(List.of(server.url()))) {
            System.out.println("Reachable from other machines at: " + String.join(" ", reach));
        }
        System.out.println("Data directory: " + data);
        if (server.initialAdminPassword() != null) {
            System.out.println("Created user 'admin' with password " + (System.getenv("KILN_ADMIN_PASSWORD") != null
                    ? "from KILN_ADMIN_PASSWORD" : server.initialAdminPassword() + "  (shown once; change it with kiln users reset-password admin)"));
        }
        System.out.println("Admin API token: in " + server.adminTokenFile() + " (kiln on this machine reads it from there)");
        System.out.println("Agent token: in " + data.resolve("agent.token")
                + " (the registration token: an agent joins with it, then uses a credential of its own)");
        System.out.println(noLocalAgent ? "Embedded agent: off" : "Embedded agent: on, up to " + builds
                + (builds == 1 ? " build" : " builds") + " at once" + (maxBuilds != null ? "" : " (sized from this machine's "
                + Runtime.getRuntime().availableProcessors() + " cores and " + Agent.physicalMemoryGiB()
                + " GiB; set --max-builds N)")
                + (labels.isEmpty() ? "" : ", labels " + String.join(",", labels))
                + "; steps: " + server.localAgentSteps());
        System.out.println("Retention: " + upkeep.retention().describe() + "; new builds refused below "
                + upkeep.minFree().describe() + " free (kiln server status shows disk use)");
        System.out.println("Artifacts: up to " + upkeep.artifacts().describe());
        System.out.println("Join another agent: kiln agent --server " + reach.get(0) + " --token-file " + data.resolve("agent.token"));
        if (!LocalServers.isLoopback(host)) {
            System.err.println(publicRead ? "WARNING: listening on " + host + " with --public-read: anyone who can reach this"
                    + " address reads builds and logs." : "Listening on " + host + ": every request needs a user's token or session.");
        }
        if (server.stepsRunAsServer()) {
            System.err.println("WARNING: this server does not run as root, so the embedded agent's process steps run with"
                    + " the server's own rights and can read " + data + ". Run it as root (steps then run as '"
                    + buildUser + "'), or use --no-local-agent and run builds on a separate agent.");
        }
        System.out.flush();
        stopped.await();
        return 0;
    }

    /**
     * The URLs another machine can use: --public-url if given; bound to a wildcard, this machine's
     * non-loopback, non-link-local addresses; else the one address it listens on.
     */
    private List<String> reachableAt(String local, int port) throws java.net.SocketException {
        if (publicUrl != null) {
            return List.of(publicUrl.replaceAll("/+$", ""));
        }
        if (!WILDCARD.contains(host)) {
            return List.of(local);
        }
        List<String> urls = new java.util.ArrayList<>();
        for (var nic : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
            if (!nic.isUp() || nic.isLoopback()) {
                continue;
            }
            for (var a : java.util.Collections.list(nic.getInetAddresses())) {
                if (a.isLoopbackAddress() || a.isLinkLocalAddress()) {
                    continue;
                }
                String h = a.getHostAddress().replaceAll("%.*$", "");
                urls.add("http://" + (a instanceof java.net.Inet6Address ? "[" + h + "]" : h) + ":" + port);
            }
        }
        // IPv4 first: what people usually type.
        urls.sort(java.util.Comparator.comparing(u -> u.contains("[")));
        return urls.isEmpty() ? List.of(local) : urls;
    }
}
