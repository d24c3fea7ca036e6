package dev.kiln.server.cli;

import dev.kiln.server.KilnServer;
import dev.kiln.spec.config.Durations;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kiln server}: the server with its embedded agent. */
@Command(name = "server", mixinStandardHelpOptions = true, description = "Run the Kiln server (and an embedded agent).")
final class ServerCommand implements Callable<Integer> {
    @Option(names = "--host", description = "Address to listen on (default ${DEFAULT-VALUE}).", defaultValue = "127.0.0.1")
    String host;
    @Option(names = "--port", description = "Port (default ${DEFAULT-VALUE}; 0 picks a free one).", defaultValue = "8080")
    int port;
    @Option(names = "--data-dir", description = "Database, logs and sources (default ${DEFAULT-VALUE}).", defaultValue = "kiln-data")
    Path dataDir;
    @Option(names = "--db-url", description = "JDBC URL (default: an H2 file in the data directory).")
    String dbUrl;
    @Option(names = "--db-user") String dbUser;
    @Option(names = "--db-password", description = "Or KILN_DB_PASSWORD.") String dbPassword;
    @Option(names = "--no-local-agent", description = "Do not start the embedded agent.")
    boolean noLocalAgent;
    @Option(names = "--agent-labels", split = ",", description = "Labels of the embedded agent.")
    List<String> labels = List.of();
    @Option(names = "--lease-timeout", defaultValue = "30s", description = "An agent silent this long is lost (default ${DEFAULT-VALUE}).")
    String leaseTimeout;
    @Option(names = "--heartbeat", defaultValue = "10s", description = "How often agents renew their lease (default ${DEFAULT-VALUE}).")
    String heartbeat;
    @Option(names = "--log-cap", defaultValue = "1073741824", description = "Bytes of log kept per build, head and tail (default 1 GiB).")
    long logCap;

    @Override
    public Integer call() throws Exception {
        Duration lease = Durations.parse(leaseTimeout).orElseThrow(() -> new IllegalArgumentException("--lease-timeout: not a duration"));
        Duration beat = Durations.parse(heartbeat).orElseThrow(() -> new IllegalArgumentException("--heartbeat: not a duration"));
        String password = dbPassword != null ? dbPassword : System.getenv("KILN_DB_PASSWORD");
        var config = new KilnServer.Config(host, port, dataDir, dbUrl, dbUser, password, !noLocalAgent, labels, lease, beat,
                logCap, "kiln");
        if (!host.equals("127.0.0.1") && !host.equals("localhost") && !host.equals("::1")) {
            System.err.println("WARNING: listening on " + host + ": the API has no users or roles yet, so anyone who can"
                    + " reach this address can submit builds that run commands on the agents.");
        }
        KilnServer server = new KilnServer(config).start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }));
        System.out.println("Kiln server listening on " + server.url());
        System.out.println("Data directory: " + dataDir.toAbsolutePath());
        System.out.println(noLocalAgent ? "Embedded agent: off" : "Embedded agent: on");
        System.out.println("Agent token (also in " + dataDir.resolve("agent.token") + "): " + server.agentToken());
        System.out.println("Join another agent: kiln agent --server " + server.url() + " --token " + server.agentToken());
        System.out.flush();
        stopped.await();
        return 0;
    }
}
