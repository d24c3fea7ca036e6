package dev.kiln.server;

import dev.kiln.agent.Agent;
import dev.kiln.agent.run.BuildUser;
import dev.kiln.agent.run.StepEnvironment;
import dev.kiln.server.access.Access;
import dev.kiln.server.agents.AgentIds;
import dev.kiln.server.agents.AgentRegistry;
import dev.kiln.server.agents.Agents;
import dev.kiln.server.agents.RegistrationToken;
import dev.kiln.server.access.AccessGuard;
import dev.kiln.server.access.ApiTokens;
import dev.kiln.server.access.AuditLog;
import dev.kiln.server.access.Users;
import dev.kiln.server.access.BrowserSessions;
import dev.kiln.server.access.LoginThrottle;
import dev.kiln.server.access.SignIn;
import dev.kiln.server.web.SignInRoutes;
import dev.kiln.server.web.Dashboard;
import dev.kiln.server.access.Hosts;
import dev.kiln.server.access.PrivateFiles;
import dev.kiln.server.artifacts.ArtifactLimits;
import dev.kiln.server.artifacts.BlobStore;
import dev.kiln.server.artifacts.BuildArtifacts;
import dev.kiln.server.artifacts.ProductionArtifacts;
import dev.kiln.server.artifacts.ProductionSource;
import dev.kiln.server.builds.BuildService;
import dev.kiln.server.builds.SourceStore;
import dev.kiln.server.disk.DiskFloor;
import dev.kiln.server.disk.DiskSpace;
import dev.kiln.server.disk.MinFree;
import dev.kiln.server.events.BuildEvents;
import dev.kiln.server.metrics.ServerMetrics;
import dev.kiln.server.forge.CommitStatuses;
import dev.kiln.server.git.Commits;
import dev.kiln.server.git.BranchProtection;
import dev.kiln.server.git.GitHosting;
import dev.kiln.server.git.ServerUpdates;
import dev.kiln.server.git.PushPolicy;
import dev.kiln.server.git.Repos;
import dev.kiln.server.git.poll.Backoff;
import dev.kiln.server.git.poll.Poller;
import dev.kiln.server.hooks.Webhooks;
import dev.kiln.server.http.GitRoutes;
import dev.kiln.server.http.RegistryRoutes;
import dev.kiln.server.http.NotificationRoutes;
import dev.kiln.server.http.UserRoutes;
import dev.kiln.server.notify.Notifications;
import dev.kiln.server.registries.RegistryStore;
import dev.kiln.server.results.BuildMetrics;
import dev.kiln.server.http.SecretRoutes;
import dev.kiln.server.secrets.MasterKey;
import dev.kiln.server.secrets.Secrets;
import dev.kiln.server.secrets.Vault;
import dev.kiln.server.store.BuildImages;
import dev.kiln.server.http.HookRoutes;
import dev.kiln.server.triggers.PullRequestBuilds;
import dev.kiln.server.triggers.GitBuilds;
import dev.kiln.server.triggers.RefUpdateLog;
import dev.kiln.server.triggers.Triggers;
import dev.kiln.server.triggers.schedule.ScheduledRuns;
import dev.kiln.server.http.HttpServer;
import dev.kiln.server.http.PromotionRoutes;
import dev.kiln.server.promotion.PromotionFlow;
import dev.kiln.server.logs.LogStore;
import dev.kiln.server.retention.Retention;
import dev.kiln.server.retention.RetentionPolicy;
import dev.kiln.server.retention.StatusService;
import dev.kiln.server.scheduler.AgentService;
import dev.kiln.server.scheduler.Scheduler;
import dev.kiln.server.store.BuildStore;
import dev.kiln.server.store.Database;
import dev.kiln.spec.archive.ArchiveLimits;
import io.javalin.Javalin;
import java.io.IOException;
import java.util.Map;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/** Builds the server's object graph by hand, starts it, and stops it. */
public final class KilnServer implements AutoCloseable {

    /**
     * Everything the server can be told at start. {@code workDir}: where the embedded agent runs
     * builds, outside {@code dataDir} (null: a fresh directory under the system's temp directory).
     * {@code buildUser}: who its process steps run as when the server runs as root.
     * {@code sourceLimits}: what an uploaded source archive may unpack to.
     * {@code localAgentMaxBuilds}: how many builds the embedded agent runs at once.
     */
    public record Config(String host, int port, Path dataDir, String dbUrl, String dbUser, String dbPassword,
                         boolean localAgent, List<String> localAgentLabels, Duration leaseTimeout, Duration heartbeat,
                         long logCap, String projectId, String publicUrl, Path workDir, String buildUser,
                         List<String> passEnv, ArchiveLimits sourceLimits, int localAgentMaxBuilds,
                         boolean publicRead) {

        public static Config defaults(Path dataDir) {
            return new Config("127.0.0.1", 8080, dataDir, null, null, null, true, List.of(),
                    Duration.ofSeconds(30), Duration.ofSeconds(10), 1L << 30, "kiln", null, null, BuildUser.DEFAULT,
                    StepEnvironment.DEFAULT_PASS, ArchiveLimits.DEFAULTS,
                    Agent.defaultMaxBuilds(), false);
        }

        public Config withPort(int port) {
            return new Config(host, port, dataDir, dbUrl, dbUser, dbPassword, localAgent, localAgentLabels, leaseTimeout,
                    heartbeat, logCap, projectId, publicUrl, workDir, buildUser, passEnv, sourceLimits, localAgentMaxBuilds, publicRead);
        }

        public Config withLocalAgent(boolean on) {
            return new Config(host, port, dataDir, dbUrl, dbUser, dbPassword, on, localAgentLabels, leaseTimeout,
                    heartbeat, logCap, projectId, publicUrl, workDir, buildUser, passEnv, sourceLimits, localAgentMaxBuilds, publicRead);
        }

        public Config withLease(Duration timeout, Duration beat) {
            return new Config(host, port, dataDir, dbUrl, dbUser, dbPassword, localAgent, localAgentLabels, timeout,
                    beat, logCap, projectId, publicUrl, workDir, buildUser, passEnv, sourceLimits, localAgentMaxBuilds, publicRead);
        }

        public Config withDatabase(String url, String user, String password) {
            return new Config(host, port, dataDir, url, user, password, localAgent, localAgentLabels, leaseTimeout,
                    heartbeat, logCap, projectId, publicUrl, workDir, buildUser, passEnv, sourceLimits, localAgentMaxBuilds, publicRead);
        }

        public Config withLocalAgentMaxBuilds(int n) {
            return new Config(host, port, dataDir, dbUrl, dbUser, dbPassword, localAgent, localAgentLabels, leaseTimeout,
                    heartbeat, logCap, projectId, publicUrl, workDir, buildUser, passEnv, sourceLimits, n, publicRead);
        }

        /** Anyone may read what a viewer may (open-source projects with public logs). */
        public Config withPublicRead(boolean on) {
            return new Config(host, port, dataDir, dbUrl, dbUser, dbPassword, localAgent, localAgentLabels, leaseTimeout,
                    heartbeat, logCap, projectId, publicUrl, workDir, buildUser, passEnv, sourceLimits, localAgentMaxBuilds, on);
        }

        public Config withSourceLimits(ArchiveLimits limits) {
            return new Config(host, port, dataDir, dbUrl, dbUser, dbPassword, localAgent, localAgentLabels, leaseTimeout,
                    heartbeat, logCap, projectId, publicUrl, workDir, buildUser, passEnv, limits, localAgentMaxBuilds, publicRead);
        }
    }

    /**
     * How the server keeps its data directory in bounds: what retention removes, the free space
     * below which it takes no new builds, and how it reads free space (tests say "nearly full").
     * Apart from {@link Config} so that each can change without the other.
     */
    public record Upkeep(RetentionPolicy retention, MinFree minFree, DiskSpace disk, ArtifactLimits artifacts) {
        public static final Upkeep DEFAULTS = new Upkeep(RetentionPolicy.DEFAULTS, MinFree.DEFAULT, DiskSpace.system());

        public Upkeep {
            artifacts = artifacts == null ? ArtifactLimits.DEFAULTS : artifacts;
        }

        /** With the default artifact limits. */
        public Upkeep(RetentionPolicy retention, MinFree minFree, DiskSpace disk) {
            this(retention, minFree, disk, ArtifactLimits.DEFAULTS);
        }

        public Upkeep withDisk(DiskSpace probe) {
            return new Upkeep(retention, minFree, probe, artifacts);
        }

        /** What builds may keep as artifacts. */
        public Upkeep withArtifacts(ArtifactLimits limits) {
            return new Upkeep(retention, minFree, disk, limits);
        }
    }

    /** The id of the embedded agent: one row in the agents table, whatever the runs of the server. */
    public static final String LOCAL_AGENT = "local";

    private final Config config;
    private final Database db;
    private final Scheduler scheduler;
    private final Retention retention;
    private final GitBuilds gitBuilds;
    private final Poller poller;
    private final ScheduledRuns schedules;
    private final CommitStatuses commitStatuses;
    private final Javalin http;
    private final LocalAgent localAgent;
    private final RegistrationToken registration;
    private final AgentRegistry agentRegistry;
    private String agentToken;
    private final Path adminTokenFile;
    private final Users users;
    private final ApiTokens tokens;
    private final AuditLog audit;
    private final ServerUpdates serverUpdates;
    private final Notifications notifications;
    private final PromotionFlow promotionFlow;
    private final String initialAdminPassword;
    private final ProductionArtifacts production;

    public KilnServer(Config config) throws IOException {
        this(config, Upkeep.DEFAULTS);
    }

    public KilnServer(Config config, Upkeep upkeep) throws IOException {
        this(config, upkeep, Clock.systemUTC());
    }

    /** With {@code clock} for everything that keeps time: tests move it to expire sessions, tokens and sign-in limits. */
    public KilnServer(Config config, Upkeep upkeep, Clock clock) throws IOException {
        this.config = config;
        // Mode 700: steps that run on this machine (as the build user) must not read tokens, logs or the database.
        Path data = PrivateFiles.directory(config.dataDir());
        this.registration = new RegistrationToken(data.resolve("agent.token"));
        this.db = Database.open(config.dbUrl() != null ? config.dbUrl() : Database.h2Url(data), config.dbUser(),
                config.dbPassword());
        for (String f : List.of("kiln.mv.db", "kiln.trace.db")) {
            PrivateFiles.restrict(data.resolve(f));
        }
        this.users = new Users(db, clock);
        // First start: the one admin, with KILN_ADMIN_PASSWORD or a random password printed once.
        this.initialAdminPassword = users.bootstrapAdmin(System.getenv("KILN_ADMIN_PASSWORD")).orElse(null);
        ApiTokens tokens = new ApiTokens(db, users, clock);
        this.tokens = tokens;
        this.audit = new AuditLog(db, clock);
        this.adminTokenFile = data.resolve("admin.token").toAbsolutePath();
        tokens.adminToken(adminTokenFile);
        BuildStore store = new BuildStore(db);
        LogStore logs = new LogStore(data.resolve("logs"));
        SourceStore sources = new SourceStore(data.resolve("sources"), 2L << 30, config.sourceLimits());
        BuildEvents events = new BuildEvents();
        ServerMetrics metrics = new ServerMetrics();
        metrics.logs(logs);
        this.scheduler = new Scheduler(store, logs, events, clock, config.leaseTimeout(), config.heartbeat(), metrics);
        BuildImages images = new BuildImages(db);
        BuildMetrics buildMetrics = new BuildMetrics(db);
        BuildArtifacts artifacts = new BuildArtifacts(db, new BlobStore(data.resolve("artifacts")), upkeep.artifacts());
        // Every secret and credential at rest is sealed with this key (see secrets.Vault).
        Vault vault = new Vault(db, MasterKey.load(data, System.getenv(MasterKey.ENV)), clock);
        Secrets secrets = new Secrets(vault);
        RegistryStore registries = new RegistryStore(data, vault, clock);
        this.production = new ProductionArtifacts(artifacts);
        AgentService agents = new AgentService(scheduler, store, logs, sources, events, metrics, images,
                registries::credentialsFor, secrets, buildMetrics, artifacts, production);
        this.agentRegistry = new AgentRegistry(db, clock);
        Agents agentDirectory = new Agents(agentRegistry, registration, scheduler, store, audit);
        scheduler.refuse(run -> agentRegistry.isDisabled(AgentIds.owner(run)));
        this.retention = new Retention(db, store, logs, sources, upkeep.retention(), clock, artifacts);
        DiskFloor floor = new DiskFloor(data, upkeep.disk(), upkeep.minFree(), upkeep.retention().describe());
        BuildService builds = new BuildService(store, sources, scheduler, events, floor, clock, config.projectId());
        Repos repos = new Repos(db, data.resolve("git"), clock, vault);
        this.notifications = new Notifications(db, vault, clock, name -> repos.find(name).isPresent());
        Triggers triggers = new Triggers(db, repos, clock);
        Commits commits = new Commits(sources);
        RefUpdateLog refUpdates = new RefUpdateLog(db);
        this.gitBuilds = new GitBuilds(repos, triggers, refUpdates, builds, commits, clock);
        this.poller = new Poller(repos, gitBuilds, clock, Backoff.DEFAULT, Poller.REMOTE_TIMEOUT_SECONDS);
        BranchProtection protection = new BranchProtection(db, repos);
        this.serverUpdates = new ServerUpdates(repos, gitBuilds);
        this.promotionFlow = new PromotionFlow(db, store, buildMetrics, artifacts, images, repos, serverUpdates, protection,
                refUpdates, audit, clock, KilnServer::buildGates).listen(events);
        promotionFlow.promotions().notifier(notifications::publish);
        // kiln/production-artifacts serves the artifacts of the build that measured the production version.
        production.source(repo -> promotionFlow.registry().current(repo)
                .map(v -> new ProductionSource.Production(v.version(), v.commit(), v.build())));
        Webhooks webhooks = new Webhooks(repos, gitBuilds,
                new PullRequestBuilds(db, repos, triggers, builds, commits, clock));
        this.schedules = new ScheduledRuns(() -> triggers.list(null), gitBuilds::scheduled, clock);
        // The link on the forge: the public URL if one is set, else the address the server listens on.
        this.commitStatuses = new CommitStatuses(store, repos, () -> config.publicUrl() != null ? config.publicUrl() : url(),
                Duration.ofSeconds(1));
        events.onStatus(commitStatuses);
        Hosts hosts = new Hosts(config.host(), config.publicUrl());
        BrowserSessions sessions = new BrowserSessions(users, clock,
                config.publicUrl() != null && config.publicUrl().regionMatches(true, 0, "https:", 0, 6));
        SignIn signIn = new SignIn(users, new LoginThrottle(clock), audit, clock);
        Dashboard dashboard = new Dashboard(builds, store, logs, scheduler, new SignInRoutes(sessions, tokens, audit, clock), clock,
                new Dashboard.Git(repos, triggers, gitBuilds, poller, config.publicUrl()), events, metrics, images, audit,
                buildMetrics, artifacts, promotionFlow);
        this.http = HttpServer.create(builds, store, logs, agents, events, new StatusService(data, floor, retention),
                guard(hosts, tokens, sessions, agentDirectory, signIn),
                new GitRoutes(repos, triggers, gitBuilds, poller, config.publicUrl(), protection, audit),
                new GitHosting(repos, hosts, new PushPolicy(tokens::verify, config.publicRead()), protection, audit, gitBuilds,
                        metrics), new HookRoutes(webhooks), dashboard, metrics,
                images, new RegistryRoutes(registries, audit),
                new UserRoutes(users, tokens, audit, name -> repos.find(name).isPresent(), clock), audit,
                new SecretRoutes(secrets, audit), agentDirectory, buildMetrics, artifacts,
                new PromotionRoutes(promotionFlow, audit), new NotificationRoutes(notifications, audit));
        // In-process, so it needs no credential; its row lets an admin list and disable it like any other.
        if (config.localAgent()) {
            agentRegistry.ensure(LOCAL_AGENT, LOCAL_AGENT);
        }
        this.localAgent = config.localAgent() ? LocalAgent.create(config, data, agents, LOCAL_AGENT) : null;
    }

    private AccessGuard guard(Hosts hosts, ApiTokens tokens, BrowserSessions sessions, Agents agentDirectory, SignIn signIn) {
        String cli = "`kiln` on this machine reads it from " + adminTokenFile + "; elsewhere run `kiln login`, pass --token or set KILN_TOKEN";
        return new AccessGuard(hosts, Map.of(
                Access.Realm.USER, AccessGuard.RealmAuth.bearer(tokens::verify, cli),
                Access.Realm.AGENT, AccessGuard.RealmAuth.bearer(agentDirectory::authenticate,
                        "an agent joins with the registration token (the server keeps it in <data-dir>/agent.token;"
                                + " kiln agents registration-token shows it), then calls with its own credential"),
                Access.Realm.BROWSER, new AccessGuard.RealmAuth(sessions::authenticate,
                        "sign in at /login, then use the buttons of this server's own pages"),
                Access.Realm.LOGIN, new AccessGuard.RealmAuth(signIn::authenticate,
                        "sign in with a user name and password, on this server's /login page or with `kiln login`")),
                sessions::current, config.publicRead());
    }

    /**
     * Where {@code kiln/production-artifacts} learns each repo's production version (none until this is
     * called): the model registry connects here.
     */
    public void productionSource(ProductionSource source) {
        production.source(source);
    }

    /** The gates a build's own config adds to its repo's policy. */
    private static List<dev.kiln.spec.promotion.Gate> buildGates(dev.kiln.server.store.Build b) {
        try {
            return dev.kiln.spec.plan.BuildPlan.gates(b.planJson());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Retention's sweep, for tests that run one now rather than wait for the next. */
    public Retention retention() {
        return retention;
    }

    /** How the embedded agent runs steps (whether it found a Docker engine); null without one. */
    public String localAgentSteps() {
        return localAgent == null ? null : localAgent.steps();
    }

    /** Whether the embedded agent's steps run with the server's own rights (it does not run as root). */
    public boolean stepsRunAsServer() {
        return localAgent != null && localAgent.stepsRunAsServer();
    }

    /** Every HTTP route, with its method, path and {@code Access} rule: what the route-walking test walks. */
    public List<io.javalin.router.Endpoint> routes() {
        return http.unsafe.internalRouter.allHttpHandlers().stream().map(p -> p.endpoint)
                .filter(e -> e.method.isHttpMethod()).toList();
    }

    /** The scheduled triggers' runs: tests tick them with the instants they choose. */
    public ScheduledRuns schedules() {
        return schedules;
    }

    /** The server's users. */
    public Users users() {
        return users;
    }

    /** The server's API tokens. */
    public ApiTokens tokens() {
        return tokens;
    }

    /** The audit log. */
    public AuditLog audit() {
        return audit;
    }

    /** The server's own moves of hosted repos' branches: the way into a protected branch (a promotion's). */
    public ServerUpdates serverUpdates() {
        return serverUpdates;
    }

    /** Where promotions publish their events, for the hooks an admin configured (returns at once; delivery is in the background). */
    public Notifications notifications() {
        return notifications;
    }

    /** Promotions, policies and the model registry. */
    public PromotionFlow promotions() {
        return promotionFlow;
    }

    /** The password the first start gave {@code admin}, to print once; null when users existed already. */
    public String initialAdminPassword() {
        return initialAdminPassword;
    }

    /** Where the admin token is kept (mode 600). */
    public Path adminTokenFile() {
        return adminTokenFile;
    }

    /** The admin token: for tests and the server's own use; never printed. */
    public String adminToken() throws IOException {
        return Files.readString(adminTokenFile).strip();
    }

    public KilnServer start() {
        scheduler.start();
        // Pushes accepted before a stop or a crash and not yet built: a push accepted is a build promised.
        gitBuilds.resumePending();
        promotionFlow.start();
        retention.start();
        notifications.start();   // first sends what a previous run left pending
        http.start(config.host(), config.port());
        poller.start();
        schedules.start();
        if (localAgent != null) {
            localAgent.start();
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

    /**
     * The credential of an agent joined for this server's own tools and tests (named {@code agent},
     * joined on the first call, the same after); never printed.
     */
    public synchronized String agentToken() {
        if (agentToken == null) {
            agentToken = agentRegistry.register("agent").credential();
        }
        return agentToken;
    }

    /** The token new agents join with (in {@code <data-dir>/agent.token}). */
    public String registrationToken() {
        return registration.current();
    }

    /** The agents that joined. */
    public AgentRegistry agentRegistry() {
        return agentRegistry;
    }

    @Override
    public void close() {
        if (localAgent != null) {
            localAgent.stop(scheduler);
        }
        schedules.close();
        promotionFlow.close();
        poller.close();
        commitStatuses.close();
        http.stop();
        notifications.close();
        retention.close();
        scheduler.close();
        db.close();
        if (localAgent != null) {
            localAgent.close();
        }
    }
}
