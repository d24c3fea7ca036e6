package dev.kiln.server.promotion;

import dev.kiln.server.access.AuditLog;
import dev.kiln.server.artifacts.BuildArtifacts;
import dev.kiln.server.events.BuildEvents;
import dev.kiln.server.git.BranchProtection;
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
    private final BuildStore builds;
    private final long startedAt;
    /** The builds whose ends were handled lately, oldest first (bounded: only waiting tests and tools ask). */
    private final java.util.Map<String, Boolean> handled = new java.util.LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(java.util.Map.Entry<String, Boolean> eldest) {
            return size() > 10_000;
        }
    };
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
        this.builds = builds;
        this.startedAt = clock.millis();
        this.promotions = new Promotions(policies, new PromotionStore(db), registry, builds,
                id -> Candidate.of(id, metrics, artifacts), buildGates, submitter,
                new TargetMove(repos, updates, builds, images), audit, clock);
    }

    /** Listens to builds' ends from now on: before any build can run, so that no end is missed. */
    public PromotionFlow listen(BuildEvents events) {
        events.onStatus((id, to) -> {
            if (to.isFinal()) {
                worker.execute(() -> {
                    try {
                        promotions.ended(id, to);
                    } catch (RuntimeException e) {
                        LoggerFactory.getLogger(PromotionFlow.class).error("promotion step for build {} failed", id, e);
                    } finally {
                        handled(id);
                    }
                });
            }
        });
        return this;
    }

    /**
     * Picks up promotions a stop left moving (after the pushes accepted before it have their builds),
     * and starts the expiry sweep.
     */
    public PromotionFlow start() {
        worker.execute(() -> {
            try {
                promotions.resume();
            } catch (RuntimeException e) {
                LoggerFactory.getLogger(PromotionFlow.class).error("resuming promotions failed", e);
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

    private void handled(String buildId) {
        synchronized (handled) {
            handled.put(buildId, Boolean.TRUE);
            handled.notifyAll();
        }
    }

    /**
     * Waits until the end of build {@code buildId} has been handled (a promotion opened, a production
     * version added...): a build's end is stored a moment before it is told, so a client that saw the
     * build end cannot know the flow has. Tests wait here rather than poll. False after {@code timeout}.
     */
    public boolean awaitHandled(String buildId, java.time.Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        synchronized (handled) {
            while (!handled.containsKey(buildId)) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(handled, left);
            }
            return true;
        }
    }

    /**
     * Waits until the flow has handled the end of every build of a repo that ended since this server
     * started (the newest hundred): what a test or tool that saw builds end calls before it looks.
     */
    public void flush() throws InterruptedException {
        for (Build b : builds.list(100, null, BuildStore.Filter.NONE)) {
            if (b.repo() != null && b.status().isFinal() && b.finishTime() != null && b.finishTime() >= startedAt
                    && !awaitHandled(b.id(), java.time.Duration.ofSeconds(30))) {
                throw new IllegalStateException("the end of build " + b.id() + " was not handled within 30 s");
            }
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
     * Sets {@code repo}'s policy. A hosted repo's target branch is protected at once: from now on only
     * an approved promotion moves it. A mirror's target branch is pushed to its remote with the
     * mirror's credentials; protecting it there (only Kiln's user may push) is the forge's part.
     */
    public PromotionPolicy setPolicy(String repo, PolicyRequest request, String by) {
        Repo r = repos.get(repo);
        PromotionPolicy p = PromotionPolicy.of(repo, request, clock.millis(), by);
        policies.put(p);
        if (r.kind() == Repo.Kind.HOSTED) {
            protection.protect(repo, p.to());
        }
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
