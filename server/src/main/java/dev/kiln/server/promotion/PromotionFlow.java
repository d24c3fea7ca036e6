package dev.kiln.server.promotion;

import dev.kiln.server.access.AuditLog;
import dev.kiln.server.artifacts.BuildArtifacts;
import dev.kiln.server.events.BuildEvents;
import dev.kiln.server.git.BranchProtection;
import dev.kiln.server.git.Refusal;
import dev.kiln.server.git.Repo;
import dev.kiln.server.git.Repos;
import dev.kiln.server.git.ServerUpdates;
import dev.kiln.server.results.BuildMetrics;
import dev.kiln.server.store.Build;
import dev.kiln.server.store.BuildImages;
import dev.kiln.server.store.BuildStore;
import dev.kiln.server.store.Database;
import dev.kiln.server.triggers.RefUpdateLog;
import dev.kiln.spec.api.PolicyRequest;
import dev.kiln.spec.promotion.Gate;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.LoggerFactory;

/**
 * Promotion's parts put together: repos' policies, the flow, and the registry. Builds' ends reach
 * the flow on one thread of its own, in the order they happened, so the status listener returns at
 * once; a minute's sweep ends promotions nobody decided in time.
 */
public final class PromotionFlow implements AutoCloseable {
    private final Policies policies;
    private final ModelRegistry registry;
    private final Promotions promotions;
    private final Repos repos;
    private final BranchProtection protection;
    private final AuditLog audit;
    private final Clock clock;
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "kiln-promotions");
        t.setDaemon(true);
        return t;
    });

    public PromotionFlow(Database db, BuildStore builds, BuildMetrics metrics, BuildArtifacts artifacts, BuildImages images,
                         Repos repos, ServerUpdates updates, BranchProtection protection, RefUpdateLog refUpdates,
                         AuditLog audit, Clock clock, Function<Build, List<Gate>> buildGates) {
        this.policies = new Policies(db);
        this.registry = new ModelRegistry(db);
        this.repos = repos;
        this.protection = protection;
        this.audit = audit;
        this.clock = clock;
        Function<Build, String> submitter = b -> b.provenance().refUpdateId() == null ? null
                : refUpdates.actor(b.provenance().refUpdateId()).orElse(null);
        this.promotions = new Promotions(policies, new PromotionStore(db), registry, builds,
                id -> Candidate.of(id, metrics, artifacts), buildGates, submitter,
                new TargetMove(repos, updates, builds, images), audit, clock);
    }

    /** Listens to builds' ends and starts the expiry sweep. */
    public PromotionFlow start(BuildEvents events) {
        events.onStatus((id, to) -> {
            if (to.isFinal()) {
                worker.execute(() -> {
                    try {
                        promotions.ended(id, to);
                    } catch (RuntimeException e) {
                        LoggerFactory.getLogger(PromotionFlow.class).error("promotion step for build {} failed", id, e);
                    }
                });
            }
        });
        worker.scheduleWithFixedDelay(() -> {
            try {
                promotions.expireDue();
            } catch (RuntimeException e) {
                LoggerFactory.getLogger(PromotionFlow.class).error("promotion expiry sweep failed", e);
            }
        }, 1, 1, TimeUnit.MINUTES);
        return this;
    }

    /** Waits until every build end told so far has been handled: tests look at promotions after this. */
    public void flush() throws InterruptedException {
        try {
            worker.submit(() -> {}).get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException(e);
        }
    }

    public Promotions promotions() {
        return promotions;
    }

    public ModelRegistry registry() {
        return registry;
    }

    public Optional<PromotionPolicy> policy(String repo) {
        repos.get(repo);   // 404 for an unknown repo
        return policies.get(repo);
    }

    /**
     * Sets {@code repo}'s policy. Only a hosted repo's branches can be moved by the server, and the
     * target branch is protected at once: from now on only an approved promotion moves it.
     */
    public PromotionPolicy setPolicy(String repo, PolicyRequest request, String by) {
        Repo r = repos.get(repo);
        if (r.kind() != Repo.Kind.HOSTED) {
            throw Refusal.badRequest("repo " + repo + " mirrors " + r.url() + ": Kiln promotes on the repos it hosts"
                    + " (kiln repos add NAME), where it can move the target branch itself and protect it");
        }
        PromotionPolicy p = PromotionPolicy.of(repo, request, clock.millis(), by);
        policies.put(p);
        protection.protect(repo, p.to());
        return p;
    }

    public boolean removePolicy(String repo) {
        repos.get(repo);
        return policies.remove(repo);
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
