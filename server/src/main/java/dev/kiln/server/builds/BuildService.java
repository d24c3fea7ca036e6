package dev.kiln.server.builds;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.kiln.server.events.BuildEvents;
import dev.kiln.server.scheduler.Scheduler;
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

/** Use cases on builds: create one from an uploaded source, retry, cancel, look up. */
public final class BuildService {
    private final BuildStore store;
    private final SourceStore sources;
    private final Scheduler scheduler;
    private final BuildEvents events;
    private final Clock clock;
    private final String projectId;

    public BuildService(BuildStore store, SourceStore sources, Scheduler scheduler, BuildEvents events, Clock clock,
                        String projectId) {
        this.store = store;
        this.sources = sources;
        this.scheduler = scheduler;
        this.events = events;
        this.clock = clock;
        this.projectId = projectId;
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

    /** Stores the archive, reads and plans its config, and queues the build; nothing is queued if the config is bad. */
    public Build submit(InputStream archive, String configPath, Map<String, String> substitutions, List<String> tags)
            throws IOException, RefusedException {
        String digest = sources.store(archive);
        return create(digest, configPath, substitutions, tags, null, Provenance.SUBMIT, Map.of());
    }

    /**
     * Queues a build of a source the server archived from git: {@code configPath} null looks for the
     * default names as a submit does; {@code git} says where it came from and fills the built-ins
     * ({@code $COMMIT_SHA}, {@code $BRANCH_NAME}, {@code $TRIGGER_NAME}...).
     */
    public Build fromGit(String digest, String configPath, Map<String, String> substitutions, Provenance git)
            throws IOException, RefusedException {
        return create(digest, configPath, substitutions, List.of(), null, git, Map.of());
    }

    /**
     * As {@link #fromGit(String, String, Map, Provenance)}, with built-ins only the trigger knows
     * (a pull request's {@code _HEAD_BRANCH}, {@code _BASE_BRANCH}, {@code _HEAD_REPO_URL}, {@code _PR_NUMBER}).
     */
    public Build fromGit(String digest, String configPath, Map<String, String> substitutions, Provenance git,
                         Map<String, String> facts) throws IOException, RefusedException {
        return create(digest, configPath, substitutions, List.of(), null, git, facts);
    }

    /** The same source, config and provenance again (a git build keeps its commit, trigger and cause). */
    public Build retry(String id) throws IOException, RefusedException {
        Build old = store.get(id).orElseThrow(() -> new NotFoundException("no build " + id));
        Provenance git = old.provenance();
        return create(old.sourceDigest(), old.configPath(), old.substitutions(), old.tags(), old.id(),
                new Provenance(git.repo(), git.ref(), git.commitSha(), git.author(), git.message(), git.trigger(),
                        git.cause(), null), Map.of());
    }

    private Build create(String digest, String configPath, Map<String, String> subs, List<String> tags, String retryOf,
                         Provenance git, Map<String, String> facts) throws IOException, RefusedException {
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
            plan = Planner.plan(spec, context(id, path, subs, git, facts));
        } catch (ConfigException e) {
            throw new RefusedException("invalid build config", e.problems().stream().map(ConfigProblem::toString).toList());
        }
        long now = clock.millis();
        // Only an agent offering all of the build's labels may take it; until one does, the build says so.
        List<String> labels = spec.labels();
        Build b = new Build(id, 0, Status.QUEUED, Build.waitingFor(labels), digest, path, Map.copyOf(subs), json(plan),
                List.copyOf(tags.isEmpty() ? spec.tags() : tags), labels, retryOf, now, null, null,
                plan.timeoutMillis(), spec.queueTtl() == null ? null : spec.queueTtl().toMillis(),
                null, null, null, false, git);
        Build stored = store.insert(b, plan.steps().stream().map(StepPlan::id).toList());
        events.changed(id);
        scheduler.enqueued();
        return stored;
    }

    private BuildContext context(String id, String configPath, Map<String, String> subs, Provenance git,
                                 Map<String, String> facts) {
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

    /** Whether the recorded ref update {@code refUpdateId} already has its build of {@code trigger}. */
    public boolean builtFor(long refUpdateId, String trigger) {
        return store.builtFor(refUpdateId, trigger);
    }

    public void cancel(String id) {
        store.get(id).orElseThrow(() -> new NotFoundException("no build " + id));
        scheduler.cancel(id);
    }

    private static String json(Object o) {
        try {
            return Json.MAPPER.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** No such build. */
    public static final class NotFoundException extends RuntimeException {
        public NotFoundException(String message) {
            super(message);
        }
    }

}
