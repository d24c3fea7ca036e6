package dev.kiln.agent.run;

import dev.kiln.agent.docker.RegistryLogins;
import dev.kiln.agent.docker.push.ImagePublisher;
import dev.kiln.agent.outputs.ArtifactUpload;
import dev.kiln.spec.api.BuiltImage;
import dev.kiln.spec.archive.ArchiveLimits;
import dev.kiln.spec.archive.UnsafeArchiveException;
import dev.kiln.spec.config.Durations;
import dev.kiln.spec.plan.BuildPlan;
import dev.kiln.spec.plan.StepPlan;
import dev.kiln.spec.protocol.AgentApi;
import dev.kiln.spec.protocol.HeartbeatReply;
import dev.kiln.spec.protocol.Lease;
import dev.kiln.spec.protocol.LeaseLostException;
import dev.kiln.spec.protocol.Status;
import dev.kiln.spec.protocol.StepResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one leased build on this agent: fetches its source, runs its step graph with
 * {@code waitFor} concurrency in one workspace, keeps the lease alive, honours timeouts and
 * cancellation, and reports every step and the build's end.
 */
public final class BuildRunner {
    private static final Logger log = LoggerFactory.getLogger(BuildRunner.class);

    private final AgentApi api;
    private final Executor executor;
    private final Path workdir;
    private final long logCap;
    private final SourceCache sources;
    private final ImagePublisher publisher;

    /**
     * {@code cacheSources}: keep fetched archives in {@code workdir/cache}. Off for the server's
     * embedded agent, which reads the server's own copy.
     */
    public BuildRunner(AgentApi api, Executor executor, Path workdir, long logCap, boolean cacheSources) {
        this(api, executor, workdir, logCap, cacheSources, ArchiveLimits.DEFAULTS);
    }

    /** {@code sourceLimits}: what a build's source archive may unpack to here; over them, the build fails. */
    public BuildRunner(AgentApi api, Executor executor, Path workdir, long logCap, boolean cacheSources,
                       ArchiveLimits sourceLimits) {
        this(api, executor, workdir, logCap, cacheSources, sourceLimits, new ImagePublisher(Optional.empty()));
    }

    /** {@code publisher}: pushes a build's {@code images:} once its steps passed (an agent without Docker cannot). */
    public BuildRunner(AgentApi api, Executor executor, Path workdir, long logCap, boolean cacheSources,
                       ArchiveLimits sourceLimits, ImagePublisher publisher) {
        this.publisher = publisher;
        this.api = api;
        this.executor = executor;
        this.workdir = workdir;
        this.logCap = logCap;
        this.sources = new SourceCache(api, cacheSources ? workdir.resolve("cache") : null, sourceLimits);
    }

    /** Events the coordinating thread reacts to. */
    private sealed interface Event {
        record StepDone(StepRun.Done step) implements Event {}
        record Cancel() implements Event {}
        record LeaseLost(String why) implements Event {}
        record Pushed(List<BuiltImage> images, String error) implements Event {}
    }

    /** Runs the build to its end; returns the status reported (null when the lease was lost). */
    public Status run(Lease lease) throws InterruptedException {
        Run run = new Run(lease);
        try {
            return run.execute();
        } finally {
            run.cleanUp();
        }
    }

    private final class Run {
        final Lease lease;
        final BuildPlan plan;
        final String buildId;
        final Path dir;
        final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        final Map<Integer, Executor.Execution> running = new ConcurrentHashMap<>();
        final Map<Integer, Status> killReason = new ConcurrentHashMap<>();
        final LogBudget budget = new LogBudget(logCap);
        final ExecutorService threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "kiln-step");
            t.setDaemon(true);
            return t;
        });
        final StepRun stepRun;
        volatile boolean finished;

        Run(Lease lease) {
            this.lease = lease;
            this.plan = lease.plan();
            this.buildId = lease.buildId();
            this.dir = workdir.resolve("builds").resolve(buildId);
            this.stepRun = new StepRun(api, new NativeSteps(executor, api, lease), lease, dir.resolve("scratch"), running,
                    killReason, budget);
        }

        Status execute() throws InterruptedException {
            threads.execute(this::heartbeat);
            if (plan.version() != BuildPlan.VERSION) {
                return finish(Status.INTERNAL_ERROR, "this agent runs plans of version " + BuildPlan.VERSION
                        + " and the server sent version " + plan.version() + ": run the same Kiln version on both");
            }
            Path workspace = dir.resolve("workspace");
            try {
                sources.unpack(lease, workspace);
                executor.prepare(buildId, BuildSteps.of(plan.steps()), workspace, dir.resolve("scratch"));
                if (!lease.registries().isEmpty()) {
                    RegistryLogins.write(dir.resolve("scratch"), lease.registries());
                }
            } catch (UnsafeArchiveException e) {
                return finish(Status.FAILURE, "source archive refused: " + e.getMessage());
            } catch (LeaseLostException e) {
                return null;
            } catch (IOException e) {
                log.warn("build {}: cannot fetch source", buildId, e);
                return finish(Status.INTERNAL_ERROR, "agent could not fetch the source: " + e.getMessage());
            }
            return schedule(workspace);
        }

        private Status schedule(Path workspace) throws InterruptedException {
            List<StepPlan> steps = plan.steps();
            Set<Integer> done = new HashSet<>();
            List<StepPlan> pending = new ArrayList<>(steps);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(plan.timeoutMillis());
            Status outcome = null;
            String detail = null;
            Set<Integer> ahead = new HashSet<>();
            while (!pending.isEmpty() || !running.isEmpty()) {
                if (outcome == null) {
                    for (var it = pending.iterator(); it.hasNext(); ) {
                        StepPlan s = it.next();
                        if (done.containsAll(s.waitFor())) {
                            it.remove();
                            start(s, workspace);
                        }
                    }
                    prepareAhead(pending, done, ahead, workspace);
                } else if (running.isEmpty()) {
                    break;
                }
                long left = deadline - System.nanoTime();
                Event e = left > 0 ? events.poll(left, TimeUnit.NANOSECONDS) : null;
                if (e == null) {
                    if (outcome == null) {
                        outcome = Status.TIMEOUT;
                        detail = "build timed out after " + Durations.format(Duration.ofMillis(plan.timeoutMillis()));
                        killAll(Status.TIMEOUT);
                    }
                    deadline = Long.MAX_VALUE / 2;
                    continue;
                }
                if (e instanceof Event.LeaseLost lost) {
                    killAll(Status.INTERNAL_ERROR);
                    log.warn("build {}: lease lost ({}); stopped its steps", buildId, lost.why());
                    return null;
                }
                if (e instanceof Event.Cancel) {
                    if (outcome == null) {
                        outcome = Status.CANCELLED;
                        detail = "cancelled";
                        killAll(Status.CANCELLED);
                    }
                    continue;
                }
                StepRun.Done d = ((Event.StepDone) e).step();
                done.add(d.index());
                StepPlan s = steps.get(d.index());
                if (d.status() == Status.INTERNAL_ERROR) {
                    // The agent could not report the step: the lease is gone or the server unreachable for long.
                    killAll(Status.INTERNAL_ERROR);
                    return null;
                }
                boolean ok = d.status() == Status.SUCCESS || d.allowed();
                if (!ok && outcome == null) {
                    outcome = d.status() == Status.TIMEOUT ? Status.TIMEOUT : Status.FAILURE;
                    // Worded as gcloud words it, so people and scripts that read Cloud Build's find it familiar.
                    String step = "build step " + s.index() + " \"" + s.id() + "\"";
                    detail = d.status() == Status.TIMEOUT ? step + " timed out"
                            : d.why() != null ? step + " " + d.why()
                            : d.exitCode() == null ? step + " failed to start"
                            : step + " failed: step exited with non-zero status: " + d.exitCode();
                    killAll(Status.CANCELLED);
                }
            }
            for (StepPlan s : pending) {
                report(() -> api.stepFinished(buildId, lease.leaseId(), s.index(),
                        new StepResult(Status.SKIPPED, null, 0, 0, "not started: the build ended first")));
            }
            if (outcome == null && !plan.artifacts().isEmpty()) {
                String refused = keepArtifacts(workspace);
                if (refused != null) {
                    return finish(Status.FAILURE, refused);
                }
            }
            if (outcome == null && plan.images() != null && !plan.images().isEmpty()) {
                return pushImages(deadline);
            }
            return finish(outcome == null ? Status.SUCCESS : outcome, detail);
        }

        /** Uploads {@code artifacts.objects} once every step passed; null when kept, else why the build fails. */
        private String keepArtifacts(Path workspace) {
            try {
                String refused = new ArtifactUpload(api, buildId, lease.leaseId(), lease.leaseMillis()).run(workspace, null,
                        plan.artifacts(), w -> log.info("build {}: {}", buildId, w));
                return refused == null ? null : "artifact refused: " + refused;
            } catch (IOException e) {
                return "artifacts could not be uploaded: " + e.getMessage();
            }
        }

        /** Pushes {@code images:} once every step passed; a cancel, the build's timeout or a lost lease stop it. */
        private Status pushImages(long deadline) throws InterruptedException {
            ImagePublisher.Run push = publisher.start();
            threads.execute(() -> {
                try {
                    events.add(new Event.Pushed(push.publish(plan.images(), RegistryLogins.of(lease.registries()),
                            line -> log.info("build {}: {}", buildId, line)), null));
                } catch (IOException | RuntimeException e) {
                    events.add(new Event.Pushed(List.of(), e.getMessage()));
                } catch (InterruptedException e) {
                    events.add(new Event.Pushed(List.of(), "interrupted"));
                }
            });
            try {
                while (true) {
                    long left = deadline - System.nanoTime();
                    Event e = left > 0 ? events.poll(left, TimeUnit.NANOSECONDS) : null;
                    if (e == null) {
                        return finish(Status.TIMEOUT, "build timed out after "
                                + Durations.format(Duration.ofMillis(plan.timeoutMillis())) + " while pushing images");
                    } else if (e instanceof Event.LeaseLost) {
                        return null;
                    } else if (e instanceof Event.Cancel) {
                        return finish(Status.CANCELLED, "cancelled while pushing images");
                    } else if (e instanceof Event.Pushed p) {
                        if (p.error() != null) {
                            return finish(Status.FAILURE, "pushing images failed: " + p.error());
                        }
                        report(() -> api.imagesPushed(buildId, lease.leaseId(), p.images()));
                        return finish(Status.SUCCESS, null);
                    }
                }
            } finally {
                push.close();
            }
        }

        /** Lets the executor make ready each pending step that waits only for steps ended or running now. */
        private void prepareAhead(List<StepPlan> pending, Set<Integer> done, Set<Integer> ahead, Path workspace) {
            for (StepPlan s : pending) {
                if (!ahead.contains(s.index()) && s.waitFor().stream().allMatch(w -> done.contains(w) || running.containsKey(w))) {
                    ahead.add(s.index());
                    List<StepPlan> before = s.waitFor().stream().filter(w -> !done.contains(w)).map(plan.steps()::get).toList();
                    executor.prepareAhead(StepEnvironment.withSecrets(s, lease.secrets()), before, workspace, dir.resolve("scratch"));
                }
            }
        }

        private void start(StepPlan s, Path workspace) {
            // Mark it running before the thread starts, so a kill that comes first still reaches it.
            running.put(s.index(), StepRun.NOT_STARTED);
            threads.execute(() -> events.add(new Event.StepDone(stepRun.run(s, workspace))));
        }

        private void killAll(Status why) {
            for (var entry : running.entrySet()) {
                killReason.putIfAbsent(entry.getKey(), why);
                entry.getValue().kill();
            }
        }

        private void heartbeat() {
            Duration every = Duration.ofMillis(lease.heartbeatMillis());
            boolean cancelSent = false;
            int failures = 0;
            while (!finished) {
                try {
                    HeartbeatReply r = api.heartbeat(buildId, lease.leaseId(), every);
                    failures = 0;
                    if (r.cancelRequested() && !cancelSent) {
                        cancelSent = true;
                        events.add(new Event.Cancel());
                    }
                } catch (LeaseLostException e) {
                    if (!finished) {
                        events.add(new Event.LeaseLost(e.getMessage()));
                    }
                    return;
                } catch (IOException e) {
                    // The server may be restarting; keep trying until it answers or says the lease is gone.
                    failures++;
                    sleepQuietly(Math.min(lease.heartbeatMillis(), 200L * failures));
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private Status finish(Status status, String detail) {
            finished = true;
            report(() -> api.buildFinished(buildId, lease.leaseId(), status, detail));
            return status;
        }

        /** Results must get through a server restart: retry for as long as the lease could still be held. */
        private void report(IoAction action) {
            long giveUp = System.currentTimeMillis() + lease.leaseMillis();
            while (true) {
                try {
                    action.run();
                    return;
                } catch (LeaseLostException e) {
                    return;
                } catch (IOException e) {
                    if (System.currentTimeMillis() > giveUp) {
                        log.warn("build {}: could not report to the server: {}", buildId, e.getMessage());
                        return;
                    }
                    sleepQuietly(200);
                }
            }
        }

        void cleanUp() {
            finished = true;
            killAll(Status.CANCELLED);
            threads.shutdownNow();
            // A step thread may still be starting its process (and making its scratch dir): let the
            // killed steps end before the build's directory goes, or it would come back after.
            try {
                if (!threads.awaitTermination(10, TimeUnit.SECONDS)) {
                    log.warn("build {}: a step thread did not end within 10 s of the build's end", buildId);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            executor.release(buildId, dir.resolve("workspace"));
            Trees.delete(dir);
        }
    }

    private interface IoAction {
        void run() throws IOException;
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
