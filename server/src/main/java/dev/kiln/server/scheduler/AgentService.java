package dev.kiln.server.scheduler;

import dev.kiln.server.artifacts.BuildArtifacts;
import dev.kiln.server.artifacts.ProductionArtifacts;
import dev.kiln.server.builds.SourceStore;
import dev.kiln.server.events.BuildEvents;
import dev.kiln.server.logs.LogStore;
import dev.kiln.server.metrics.ServerMetrics;
import dev.kiln.server.results.BuildMetrics;
import dev.kiln.server.results.LogMetrics;
import dev.kiln.server.store.BuildImages;
import dev.kiln.server.store.Build;
import dev.kiln.server.store.BuildStore;
import dev.kiln.spec.api.ArtifactView;
import dev.kiln.server.secrets.LogMasks;
import dev.kiln.server.secrets.Secrets;
import dev.kiln.spec.json.Json;
import dev.kiln.spec.plan.BuildPlan;
import dev.kiln.spec.api.BuiltImage;
import dev.kiln.spec.metrics.MetricsReport;
import dev.kiln.spec.plan.ImageRef;
import dev.kiln.spec.protocol.AgentApi;
import dev.kiln.spec.protocol.HeartbeatReply;
import dev.kiln.spec.protocol.Lease;
import dev.kiln.spec.protocol.LeaseRequest;
import dev.kiln.spec.protocol.ProductionListing;
import dev.kiln.spec.protocol.RefusedCallException;
import dev.kiln.spec.protocol.RegistryCredential;
import dev.kiln.spec.protocol.Status;
import dev.kiln.spec.protocol.StepResult;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The server's side of the agent protocol. The embedded agent calls it in-process; remote agents
 * reach it through {@code AgentRoutes}. Every call but {@code lease} requires the current lease.
 */
public final class AgentService implements AgentApi {
    private final Scheduler scheduler;
    private final BuildStore store;
    private final LogStore logs;
    private final SourceStore sources;
    private final BuildEvents events;
    private final ServerMetrics metrics;
    private final BuildImages images;
    private final Function<Collection<String>, List<RegistryCredential>> logins;
    private final BuildMetrics buildMetrics;
    private final LogMetrics logMetrics;
    private final BuildArtifacts artifacts;
    /** Null: this server has no secrets (tests of the scheduling alone). */
    private final Secrets secrets;
    private final LogMasks masks;
    /** Null: this server serves no production model's files. */
    private final ProductionArtifacts production;

    /** No registry logins to hand out, no images recorded: for tests of the scheduling alone. */
    public AgentService(Scheduler scheduler, BuildStore store, LogStore logs, SourceStore sources, BuildEvents events,
                        ServerMetrics metrics) {
        this(scheduler, store, logs, sources, events, metrics, null, hosts -> List.of());
    }

    /** {@code logins}: the registry logins the server has for some registry hosts. */
    public AgentService(Scheduler scheduler, BuildStore store, LogStore logs, SourceStore sources, BuildEvents events,
                        ServerMetrics metrics, BuildImages images,
                        Function<Collection<String>, List<RegistryCredential>> logins) {
        this(scheduler, store, logs, sources, events, metrics, images, logins, null, null, null);
    }

    /**
     * {@code secrets}: the secrets builds name in availableSecrets, given with the lease of each;
     * {@code buildMetrics}: where the metrics steps report are kept; {@code artifacts}: where the files
     * builds keep are stored (each null: this server has none of them).
     */
    public AgentService(Scheduler scheduler, BuildStore store, LogStore logs, SourceStore sources, BuildEvents events,
                        ServerMetrics metrics, BuildImages images,
                        Function<Collection<String>, List<RegistryCredential>> logins, Secrets secrets,
                        BuildMetrics buildMetrics, BuildArtifacts artifacts) {
        this(scheduler, store, logs, sources, events, metrics, images, logins, secrets, buildMetrics, artifacts, null);
    }

    /** {@code production}: the files of each repo's production model, for {@code kiln/production-artifacts}. */
    public AgentService(Scheduler scheduler, BuildStore store, LogStore logs, SourceStore sources, BuildEvents events,
                        ServerMetrics metrics, BuildImages images,
                        Function<Collection<String>, List<RegistryCredential>> logins, Secrets secrets,
                        BuildMetrics buildMetrics, BuildArtifacts artifacts, ProductionArtifacts production) {
        this.production = production;
        this.artifacts = artifacts;
        this.buildMetrics = buildMetrics;
        this.logMetrics = buildMetrics == null ? null : new LogMetrics(logs, store, buildMetrics);
        this.secrets = secrets;
        this.masks = new LogMasks(logs, this::maskedAfterRestart);
        events.onStatus((id, to) -> {
            if (to.isFinal()) {
                masks.buildEnded(id);
                if (logMetrics != null) {
                    logMetrics.buildEnded(id);
                }
            }
        });
        this.metrics = metrics;
        this.images = images;
        this.logins = logins;
        this.scheduler = scheduler;
        this.store = store;
        this.logs = logs;
        this.sources = sources;
        this.events = events;
    }

    @Override
    public Optional<Lease> lease(LeaseRequest request, Duration wait) throws IOException, InterruptedException {
        if (request.protocol() != LeaseRequest.PROTOCOL) {
            throw new RefusedCallException("agent speaks protocol " + request.protocol() + "; this server speaks " + LeaseRequest.PROTOCOL);
        }
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            // Only the logins of the registries this build pushes to travel with it.
            Optional<Lease> leased = scheduler.lease(request, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))
                    .map(l -> l.withRegistries(logins.apply(ImageRef.pushedRegistries(l.plan()))));
            if (leased.isEmpty()) {
                return leased;
            }
            Lease l = leased.get();
            try {
                l = l.withSecrets(secretsOf(l.plan(), repoOf(l.buildId())));
            } catch (Secrets.Missing missing) {
                // Before any step runs, and the agent never sees it: the build fails naming what is missing.
                scheduler.finished(l.buildId(), l.leaseId(), Status.FAILURE, missing.getMessage());
                continue;
            }
            masks.leased(l.buildId(), l.maskedValues());
            return Optional.of(l);
        }
    }

    /** The values of the secrets {@code plan} names, by the variable steps list in secretEnv. */
    private Map<String, String> secretsOf(BuildPlan plan, String repo) throws Secrets.Missing {
        if (plan.secrets().isEmpty()) {
            return Map.of();
        }
        if (secrets == null) {
            throw new Secrets.Missing("this server keeps no secrets");
        }
        Map<String, String> byName = secrets.resolve(new java.util.LinkedHashSet<>(plan.secrets().values()), repo);
        Map<String, String> byEnv = new LinkedHashMap<>();
        plan.secrets().forEach((env, name) -> byEnv.put(env, byName.get(name)));
        return byEnv;
    }

    private String repoOf(String buildId) {
        return store.get(buildId).map(Build::repo).orElse(null);
    }

    /** What a build's logs must not show, when the lease that said so was before this server started. */
    private List<String> maskedAfterRestart(String buildId) {
        Optional<Build> b = store.get(buildId);
        if (b.isEmpty() || b.get().planJson() == null) {
            return List.of();
        }
        try {
            BuildPlan plan = Json.MAPPER.readValue(b.get().planJson(), BuildPlan.class);
            List<String> out = new ArrayList<>();
            logins.apply(ImageRef.pushedRegistries(plan)).forEach(c -> out.add(c.password()));
            try {
                out.addAll(secretsOf(plan, b.get().repo()).values());
            } catch (Secrets.Missing gone) {
                // deleted since: nothing of it to mask
            }
            return out;
        } catch (java.io.IOException e) {
            return List.of();
        }
    }

    /** The id the holder of the build's current lease polled under; empty when none holds it. */
    public Optional<String> leaseHolder(String buildId) {
        return scheduler.leaseHolder(buildId);
    }

    @Override
    public HeartbeatReply heartbeat(String buildId, String leaseId, Duration wait) throws IOException, InterruptedException {
        return scheduler.heartbeat(buildId, leaseId, wait).map(HeartbeatReply::new)
                .orElseThrow(() -> Scheduler.lost(buildId));
    }

    @Override
    public InputStream source(String buildId, String leaseId) throws IOException {
        if (!scheduler.holds(buildId, leaseId)) {
            throw Scheduler.lost(buildId);
        }
        String digest = store.get(buildId).orElseThrow(() -> Scheduler.lost(buildId)).sourceDigest();
        return digest == null ? InputStream.nullInputStream() : sources.open(digest);
    }

    @Override
    public void stepStarted(String buildId, String leaseId, int step, long startMillis) throws IOException {
        boolean[] moved = new boolean[1];
        scheduler.whileHeld(buildId, leaseId, () -> moved[0] = store.stepStarted(buildId, step, startMillis));
        // Followers are told how the row changed, so that none reads it back while the agent waits to write again.
        events.stepChanged(buildId, step, row -> moved[0] ? row.started(startMillis) : row);
    }

    @Override
    public long appendLog(String buildId, String leaseId, int step, long offset, byte[] data, int off, int len) throws IOException {
        return appendLog(buildId, leaseId, step, offset, data, off, len, System.currentTimeMillis());
    }

    @Override
    public long appendLog(String buildId, String leaseId, int step, long offset, byte[] data, int off, int len,
            long timeMillis) throws IOException {
        long[] size = new long[1];
        scheduler.whileHeld(buildId, leaseId, () -> size[0] = masks.append(buildId, step, offset, data, off, len, timeMillis));
        events.logGrew(buildId, step);
        return size[0];
    }

    @Override
    public void stepFinished(String buildId, String leaseId, int step, StepResult r) throws IOException {
        Long start = r.startMillis() == 0 ? null : r.startMillis();
        long finish = r.finishMillis() == 0 ? System.currentTimeMillis() : r.finishMillis();
        boolean[] moved = new boolean[1];
        scheduler.whileHeld(buildId, leaseId, () -> masks.stepEnded(buildId, step));
        LogMetrics.Finish mark = () -> scheduler.whileHeld(buildId, leaseId, () -> moved[0] = store.stepFinished(buildId,
                step, r.status(), r.exitCode(), start, finish, r.detail()));
        if (r.status() == Status.SUCCESS && logMetrics != null && scheduler.holds(buildId, leaseId)) {
            // A passed step's ::metric lines are read from its stored (already masked) log before it is marked finished.
            logMetrics.thenFinish(buildId, step, mark);
        } else {
            if (logMetrics != null) {
                logMetrics.forget(buildId, step);
            }
            mark.run();
        }
        events.stepChanged(buildId, step, row -> moved[0] ? row.finished(r.status(), r.exitCode(), start, finish, r.detail()) : row);
        if (moved[0] && start != null) {
            metrics.stepEnded(r.status(), start, finish);
        }
    }

    @Override
    public void imagesPushed(String buildId, String leaseId, List<BuiltImage> pushed) throws IOException {
        if (images == null) {
            throw new RefusedCallException("this server records no images");
        }
        scheduler.whileHeld(buildId, leaseId, () -> images.record(buildId, pushed));
        events.changed(buildId);
    }

    @Override
    public void metricsReported(String buildId, String leaseId, int step, MetricsReport report) throws IOException {
        if (buildMetrics == null) {
            throw new RefusedCallException("this server records no metrics");
        }
        if (step < 0 || store.stepRun(buildId, step).isEmpty()) {
            throw new RefusedCallException("build " + buildId + " has no step " + step);
        }
        MetricsReport masked = new MetricsReport(report.metrics(), masks.maskAll(buildId, report.warnings()));
        scheduler.whileHeld(buildId, leaseId, () -> buildMetrics.replace(buildId, step, BuildMetrics.Source.FILE, masked));
        events.changed(buildId);
    }

    @Override
    public ArtifactView uploadArtifact(String buildId, String leaseId, Integer step, String path, long size,
            InputStream data) throws IOException {
        if (artifacts == null) {
            throw new RefusedCallException("this server stores no artifacts");
        }
        if (step != null && store.stepRun(buildId, step).isEmpty()) {
            throw new RefusedCallException("build " + buildId + " has no step " + step);
        }
        if (!scheduler.holds(buildId, leaseId)) {
            throw Scheduler.lost(buildId);
        }
        // The bytes are written outside the lease's lock (they may take a while); the row is only
        // recorded while the lease still holds.
        BuildArtifacts.Stored stored = artifacts.upload(buildId, step, path, size, data);
        events.changed(buildId);
        return new ArtifactView(stored.path(), stored.size(), stored.sha256(), null,
                BuildArtifacts.url(buildId, stored.path()));
    }

    @Override
    public void checkArtifact(String buildId, String leaseId, Integer step, String path, long size) throws IOException {
        if (artifacts == null) {
            throw new RefusedCallException("this server stores no artifacts");
        }
        if (step != null && store.stepRun(buildId, step).isEmpty()) {
            throw new RefusedCallException("build " + buildId + " has no step " + step);
        }
        scheduler.whileHeld(buildId, leaseId, () -> artifacts.check(buildId, path, size));
    }

    @Override
    public void outputWarnings(String buildId, String leaseId, Integer step, List<String> warnings) throws IOException {
        if (buildMetrics == null) {
            throw new RefusedCallException("this server records no warnings");
        }
        if (step != null && store.stepRun(buildId, step).isEmpty()) {
            throw new RefusedCallException("build " + buildId + " has no step " + step);
        }
        List<String> masked = masks.maskAll(buildId, warnings);
        scheduler.whileHeld(buildId, leaseId, () -> buildMetrics.warnings(buildId, step == null ? -1 : step,
                BuildMetrics.Source.ARTIFACTS, masked));
        events.changed(buildId);
    }

    @Override
    public ProductionListing production(String buildId, String leaseId) throws IOException {
        if (production == null) {
            throw new RefusedCallException("this server keeps no production models");
        }
        if (!scheduler.holds(buildId, leaseId)) {
            throw Scheduler.lost(buildId);
        }
        return production.listing(repoOf(buildId));
    }

    @Override
    public InputStream productionFile(String buildId, String leaseId, String productionBuild, String path)
            throws IOException {
        if (production == null) {
            throw new RefusedCallException("this server keeps no production models");
        }
        if (!scheduler.holds(buildId, leaseId)) {
            throw Scheduler.lost(buildId);
        }
        return production.open(repoOf(buildId), productionBuild, path);
    }

    @Override
    public void goodbye(String agentId) {
        scheduler.goodbye(agentId);
    }

    @Override
    public void buildFinished(String buildId, String leaseId, Status status, String detail) throws IOException {
        if (!status.isFinal()) {
            throw new RefusedCallException("a build cannot finish as " + status);
        }
        if (!scheduler.finished(buildId, leaseId, status, detail)) {
            // A resend of a report that got through before is fine; anything else means the lease is gone.
            var b = store.get(buildId);
            if (b.isEmpty() || b.get().status() != status) {
                throw Scheduler.lost(buildId);
            }
        }
    }
}
