package dev.kiln.server;

import dev.kiln.agent.Agent;
import dev.kiln.agent.run.BuildRunner;
import dev.kiln.agent.run.ProcessExecutor;
import dev.kiln.server.builds.BuildService;
import dev.kiln.server.builds.SourceStore;
import dev.kiln.server.events.BuildEvents;
import dev.kiln.server.http.HttpServer;
import dev.kiln.server.logs.LogStore;
import dev.kiln.server.scheduler.AgentService;
import dev.kiln.server.scheduler.Scheduler;
import dev.kiln.server.store.BuildStore;
import dev.kiln.server.store.Database;
import io.javalin.Javalin;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

/** Builds the server's object graph by hand, starts it, and stops it. */
public final class KilnServer implements AutoCloseable {

    /** Everything the server can be told at start. */
    public record Config(String host, int port, Path dataDir, String dbUrl, String dbUser, String dbPassword,
                         boolean localAgent, List<String> localAgentLabels, Duration leaseTimeout, Duration heartbeat,
                         long logCap, String projectId) {

        public static Config defaults(Path dataDir) {
            return new Config("127.0.0.1", 8080, dataDir, null, null, null, true, List.of(),
                    Duration.ofSeconds(30), Duration.ofSeconds(10), 1L << 30, "kiln");
        }

        public Config withPort(int port) {
            return new Config(host, port, dataDir, dbUrl, dbUser, dbPassword, localAgent, localAgentLabels, leaseTimeout,
                    heartbeat, logCap, projectId);
        }

        public Config withLocalAgent(boolean on) {
            return new Config(host, port, dataDir, dbUrl, dbUser, dbPassword, on, localAgentLabels, leaseTimeout,
                    heartbeat, logCap, projectId);
        }

        public Config withLease(Duration timeout, Duration beat) {
            return new Config(host, port, dataDir, dbUrl, dbUser, dbPassword, localAgent, localAgentLabels, timeout,
                    beat, logCap, projectId);
        }
    }

    private final Config config;
    private final Database db;
    private final Scheduler scheduler;
    private final Javalin http;
    private final Agent localAgent;
    private final String agentToken;
    private Thread agentThread;

    public KilnServer(Config config) throws IOException {
        this.config = config;
        Path data = Files.createDirectories(config.dataDir());
        this.agentToken = agentToken(data);
        this.db = Database.open(config.dbUrl() != null ? config.dbUrl() : Database.h2Url(data), config.dbUser(),
                config.dbPassword());
        Clock clock = Clock.systemUTC();
        BuildStore store = new BuildStore(db);
        LogStore logs = new LogStore(data.resolve("logs"));
        SourceStore sources = new SourceStore(data.resolve("sources"), 2L << 30);
        BuildEvents events = new BuildEvents();
        this.scheduler = new Scheduler(store, logs, events, clock, config.leaseTimeout(), config.heartbeat());
        AgentService agents = new AgentService(scheduler, store, logs, sources, events);
        BuildService builds = new BuildService(store, sources, scheduler, events, clock, config.projectId());
        this.http = HttpServer.create(builds, store, logs, agents, events, agentToken);
        this.localAgent = config.localAgent()
                ? new Agent(agents, new BuildRunner(agents, new ProcessExecutor(), data.resolve("agent"), config.logCap(), false),
                "local", config.localAgentLabels())
                : null;
    }

    public KilnServer start() {
        scheduler.start();
        http.start(config.host(), config.port());
        if (localAgent != null) {
            agentThread = new Thread(localAgent, "kiln-local-agent");
            agentThread.setDaemon(true);
            agentThread.start();
        }
        return this;
    }

    public int port() {
        return http.port();
    }

    public String url() {
        String host = config.host().equals("0.0.0.0") ? "127.0.0.1" : config.host();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port();
    }

    public String agentToken() {
        return agentToken;
    }

    /** The token agents join with: made once, kept in {@code <data>/agent.token} readable by the owner only. */
    private static String agentToken(Path data) throws IOException {
        Path file = data.resolve("agent.token");
        if (Files.exists(file)) {
            return Files.readString(file).strip();
        }
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, token + "\n");
        return token;
    }

    @Override
    public void close() {
        if (localAgent != null) {
            // Its builds die with this process: end them now, so that they say why instead of waiting
            // for the lease to run out. First, so the agent's own reports cannot mark steps CANCELLED.
            String why = "server stopped during the build";
            scheduler.abandon(localAgent.id(), why);
            localAgent.stop();
            if (agentThread != null) {
                try {
                    agentThread.join(5_000);   // let it kill its steps before the store closes
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            scheduler.abandon(localAgent.id(), why);   // anything it leased meanwhile
        }
        http.stop();
        scheduler.close();
        db.close();
    }
}
