package dev.kiln.server.builds;

import dev.kiln.server.disk.DiskFloor;
import dev.kiln.server.events.BuildEvents;
import dev.kiln.server.scheduler.Scheduler;
import dev.kiln.server.store.Approval;
import dev.kiln.server.store.Build;
import dev.kiln.server.store.BuildStore;
import dev.kiln.server.store.Provenance;
import dev.kiln.spec.archive.ArchiveLimitException;
import dev.kiln.spec.archive.SourceInspector;
import dev.kiln.spec.config.BuildSpec;
import dev.kiln.spec.config.ConfigException;
import dev.kiln.spec.config.ConfigParser;
import dev.kiln.spec.config.ConfigProblem;
import dev.kiln.spec.json.Json;
import dev.kiln.spec.plan.BuildContext;
import dev.kiln.spec.plan.AgentLabels;
import dev.kiln.spec.plan.BuildPlan;
import dev.kiln.spec.plan.Planner;
import dev.kiln.spec.plan.StepPlan;
import dev.kiln.spec.protocol.Status;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Use cases on builds: create one from an uploaded source, retry, cancel, look up. */
public final class BuildService {
    private static final Logger log = LoggerFactory.getLogger(BuildService.class);
    private final BuildStore store;
    private final SourceStore sources;
    private final Scheduler scheduler;
    private final BuildEvents events;
    private final DiskFloor floor;
    private final Clock clock;
    private final String projectId;

    /** {@code floor}: below it, new builds are refused (running ones carry on). */
    public BuildService(BuildStore store, SourceStore sources, Scheduler scheduler, BuildEvents events, DiskFloor floor,
                        Clock clock, String projectId) {
        this.store = store;
        this.sources = sources;
        this.scheduler = scheduler;
        this.events = events;
        this.floor = floor;
        this.clock = clock;
        this.projectId = projectId;
    }

    /** An upload's body, opened only once the server means to read it. */
    @FunctionalInterface
    public interface Upload {
        InputStream open() throws IOException;
    }

    /** A request the server refuses before creating anything. */
    public static final class RefusedException extends Exception {
        private final List<String> problems;

        public RefusedException(String message, List<String> problems) {
            super(message);
            this.problems = problems;
        }

        public List<String> problems() {
            return problems;
        }
    }

    /**
     * Stores the archive, reads and plans its config, and queues the build. Nothing is queued if
     * the config is bad, and nothing is left behind: an archive no build uses is removed at once.
     */
    public Build submit(Upload archive, String configPath, Map<String, String> substitutions, List<String> tags)
            throws IOException, RefusedException, DiskFloor.DiskFullException {
        floor.check();   // before the body is opened: a full disk should not first take a 4 GiB upload
        String digest = null;
        boolean created = false;
        try (SourceStore.Hold held = sources.store(archive.open())) {
            digest = held.digest();
            Build b = create(digest, configPath, substitutions, tags, null, Provenance.SUBMIT, false, null);
            created = true;
            return b;
        } finally {
            if (!created && digest != null) {
                discard(digest);
            }
        }
    }

    /**
     * Removes a refused upload's archive unless a build uses the same bytes. Called after its hold
     * is released: another upload of the same bytes may still hold it, and keeps it. A failure here
     * must not hide why the upload was refused; the next sweep takes what is left.
     */
    private void discard(String digest) {
        try {
            sources.removeIfUnused(digest, store::usesSource);
        } catch (IOException | RuntimeException e) {
            log.warn("could not remove the refused upload {}: {}", digest, e.toString());
        }
    }

    /**
     * Queues a build of a source the server archived from git: {@code configPath} null looks for the
     * default names as a submit does; {@code git} says where it came from and fills the built-ins
     * ({@code $COMMIT_SHA}, {@code $BRANCH_NAME}, {@code $TRIGGER_NAME}...). The caller holds
     * {@code digest} (see {@link dev.kiln.server.git.Commits#archive}) until this returns. Refused
     * like a submit while the disk is below the floor.
     */
    public Build fromGit(String digest, String configPath, Map<String, String> substitutions, Provenance git)
            throws IOException, RefusedException, DiskFloor.DiskFullException {
        return fromGit(digest, configPath, substitutions, git, Map.of(), false, null);
    }

    /**
     * As {@link #fromGit(String, String, Map, Provenance)}; with {@code approvalRequired} the build
     * waits in {@code PENDING} until {@link #approve}d or {@link #reject}ed. {@code causeDetail}: more
     * about why it was started (a scheduled run says whether the commit is new), or null.
     */
    public Build fromGit(String digest, String configPath, Map<String, String> substitutions, Provenance git,
                         boolean approvalRequired, String causeDetail)
            throws IOException, RefusedException, DiskFloor.DiskFullException {
        return fromGit(digest, configPath, substitutions, git, Map.of(), approvalRequired, causeDetail);
    }

    /**
     * As {@link #fromGit(String, String, Map, Provenance, boolean, String)}, with built-ins only the
     * trigger knows (a pull request's {@code _HEAD_BRANCH}, {@code _BASE_BRANCH}, {@code _HEAD_REPO_URL},
     * {@code _PR_NUMBER}).
     */
    public Build fromGit(String digest, String configPath, Map<String, String> substitutions, Provenance git,
                         Map<String, String> facts, boolean approvalRequired, String causeDetail)
            throws IOException, RefusedException, DiskFloor.DiskFullException {
        floor.check();
        Provenance withFacts = facts.isEmpty() ? git : new Provenance(git.repo(), git.ref(), git.commitSha(), git.author(),
                git.message(), git.trigger(), git.cause(), git.refUpdateId(), facts);
        return create(digest, configPath, substitutions, List.of(), null, withFacts, approvalRequired, causeDetail);
    }

    /**
     * The same source, config and provenance again (a git build keeps its commit, trigger and cause,
     * and a pull request's build its {@code _HEAD_BRANCH}, {@code _BASE_BRANCH}, {@code _HEAD_REPO_URL}, {@code _PR_NUMBER}).
     * A build that had to wait for approval waits again: a retry must not be a way around the gate.
     */
    public Build retry(String id) throws IOException, RefusedException, DiskFloor.DiskFullException {
        Build old = store.get(id).orElseThrow(() -> new NotFoundException("no build " + id));
        floor.check();
        SourceStore.Hold held;
        try {
            held = sources.hold(old.sourceDigest());
        } catch (java.nio.file.NoSuchFileException e) {
            // Retention removed the build (and so its source) between the lookup and now.
            throw new NotFoundException("no build " + id);
        }
        try (held) {
            Provenance git = old.provenance();
            return create(old.sourceDigest(), old.configPath(), old.substitutions(), old.tags(), old.id(),
                    new Provenance(git.repo(), git.ref(), git.commitSha(), git.author(), git.message(), git.trigger(),
                            git.cause(), null, git.facts()), waitedForApproval(old), old.causeDetail());
        }
    }

    private static boolean waitedForApproval(Build b) {
        return b.approval() != null || Scheduler.CANCELLED_PENDING.equals(b.statusDetail());
    }

    private Build create(String digest, String configPath, Map<String, String> subs, List<String> tags, String retryOf,
                         Provenance git, boolean approvalRequired, String causeDetail)
            throws IOException, RefusedException {
        List<String> candidates = configPath != null ? List.of(Path.of(configPath).normalize().toString())
                : ConfigParser.DEFAULT_FILES;
        SourceInspector.Inspection source;
        try {
            source = sources.inspect(digest, candidates, ConfigParser.MAX_BYTES + 1);
        } catch (ArchiveLimitException e) {
            throw e;   // a well-formed archive, only too large: it says which limit, and the status says so
        } catch (IOException e) {
            throw new RefusedException("source is not a tar.gz archive: "
                    + (e.getMessage() != null ? e.getMessage() : e.toString()), List.of());
        }
        if (!source.unsafe().isEmpty()) {
            throw new RefusedException("source archive refused: entries point outside the workspace", source.unsafe());
        }
        String path = candidates.stream().filter(source.files()::containsKey).findFirst().orElseThrow(() ->
                new RefusedException(configPath != null ? "no config '" + configPath + "' in the source"
                        : "no " + String.join(", ", ConfigParser.DEFAULT_FILES) + " in the source", List.of()));
        byte[] config = source.files().get(path);
        if (source.sizes().get(path) > ConfigParser.MAX_BYTES) {
            throw new RefusedException("invalid build config", List.of(ConfigParser.tooLarge(path, source.sizes().get(path)).toString()));
        }
        String id = UUID.randomUUID().toString();
        BuildSpec spec;
        BuildPlan plan;
        try {
            spec = ConfigParser.parse(path, config);
            plan = Planner.plan(spec, context(id, path, subs, git));
        } catch (ConfigException e) {
            throw new RefusedException("invalid build config", e.problems().stream().map(ConfigProblem::toString).toList());
        }
        long now = clock.millis();
        // Only an agent offering all of the build's labels may take it; until one does, the build says so.
        List<String> labels = AgentLabels.of(spec, plan);
        Status status = approvalRequired ? Status.PENDING : Status.QUEUED;
        String detail = approvalRequired ? "waiting for approval (kiln builds approve " + id + ")" : Build.waitingFor(labels);
        Build b = new Build(id, 0, status, detail, digest, path, Map.copyOf(subs), Json.write(plan),
                List.copyOf(tags.isEmpty() ? spec.tags() : tags), labels, retryOf, now, null, null,
                plan.timeoutMillis(), spec.queueTtl() == null ? null : spec.queueTtl().toMillis(),
                null, null, null, false, git, null, causeDetail, null);
        Build stored = store.insert(b, plan.steps().stream().map(StepPlan::id).toList());
        events.moved(id, status);
        events.changed(id);
        if (!approvalRequired) {
            scheduler.enqueued();
        }
        return stored;
    }

    /** Marks a build kept (retention never removes it) or no longer kept. */
    public void keep(String id, boolean kept) {
        if (!store.keep(id, kept)) {
            throw new NotFoundException("no build " + id);
        }
    }

    private BuildContext context(String id, String configPath, Map<String, String> subs, Provenance git) {
        Map<String, String> facts = git.facts();
        if (git.triggered()) {
            BuildContext c = BuildContext.trigger(id, projectId, git.repo(), git.branch(), git.tag(), git.commitSha(),
                    git.trigger(), configPath, subs);
            if (facts.isEmpty()) {
                return c;
            }
            Map<String, String> all = new java.util.LinkedHashMap<>(c.facts());
            all.putAll(facts);
            return new BuildContext(id, projectId, all, true, subs);
        }
        if (git.repo() != null) {
            return new BuildContext(id, projectId, git.repo(), git.branch(), git.tag(), git.commitSha(), "", subs);
        }
        return BuildContext.submit(id, projectId, subs);
    }

    /** The newest build {@code trigger} started, if any. */
    public java.util.Optional<Build> latestOf(String trigger) {
        return store.list(1, null, new BuildStore.Filter(null, null, trigger, null)).stream().findFirst();
    }

    /** Whether the recorded ref update {@code refUpdateId} already has its build of {@code trigger}. */
    public boolean builtFor(long refUpdateId, String trigger) {
        return store.builtFor(refUpdateId, trigger);
    }

    /** {@code who} lets the pending build {@code id} run; a build not pending (decided, cancelled, never needing it) is a conflict. */
    public Build approve(String id, String who, String comment) {
        Approval a = new Approval(Approval.Decision.APPROVED, who, clock.millis(), blankToNull(comment));
        return decided(id, scheduler.approve(id, a), "approve");
    }

    /** {@code who} turns the pending build {@code id} down: it ends CANCELLED without running. */
    public Build reject(String id, String who, String comment) {
        Approval a = new Approval(Approval.Decision.REJECTED, who, clock.millis(), blankToNull(comment));
        return decided(id, scheduler.reject(id, a), "reject");
    }

    private Build decided(String id, Scheduler.Decided outcome, String verb) {
        if (outcome == Scheduler.Decided.NO_BUILD) {
            throw new NotFoundException("no build " + id);
        }
        Build b = store.get(id).orElseThrow(() -> new NotFoundException("no build " + id));
        if (outcome == Scheduler.Decided.NOT_PENDING) {
            Approval a = b.approval();
            throw new ConflictException("cannot " + verb + " build " + id + ": it is not waiting for approval ("
                    + (a != null ? a.decision().name().toLowerCase(java.util.Locale.ROOT) + " by " + a.approver()
                    + " at " + java.time.Instant.ofEpochMilli(a.time()) + ", now " + b.status()
                    : "its status is " + b.status()) + ")");
        }
        return b;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    /** Cancels build {@code id}; false when it had ended already (nothing was cancelled). */
    public boolean cancel(String id) {
        store.get(id).orElseThrow(() -> new NotFoundException("no build " + id));
        return scheduler.cancel(id);
    }


    /** The build is not in a state the request applies to (approving a build already decided). */
    public static final class ConflictException extends RuntimeException {
        public ConflictException(String message) {
            super(message);
        }
    }

    /** No such build. */
    public static final class NotFoundException extends RuntimeException {
        public NotFoundException(String message) {
            super(message);
        }
    }
}
