package dev.kiln.server.triggers;

import dev.kiln.server.builds.BuildService;
import dev.kiln.server.builds.SourceStore;
import dev.kiln.server.disk.DiskFloor;
import dev.kiln.server.git.Commits;
import dev.kiln.server.git.RefListener;
import dev.kiln.server.git.RefUpdate;
import dev.kiln.server.git.Refusal;
import dev.kiln.server.git.Repo;
import dev.kiln.server.git.Repos;
import dev.kiln.server.store.Build;
import dev.kiln.server.store.Provenance;
import dev.kiln.spec.api.TriggerRun;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a ref update becomes builds: "ref X of repo R moved from OLD to NEW, because of C". A push
 * to a hosted repo calls {@link #refsMoved} from inside the receive; a webhook or a poll of a
 * mirror has its fetch {@link #accept} the moves before the mirror shows them. Each update is
 * recorded first ({@link RefUpdateLog}), then every enabled
 * trigger of the repo whose regex and file globs match builds the exact new commit once; a branch
 * deletion builds nothing. {@link #run} is "mimic the trigger": a branch head, tag or commit built
 * by hand through the trigger's own settings.
 */
public final class GitBuilds implements RefListener {
    private static final Logger log = LoggerFactory.getLogger(GitBuilds.class);
    /** Kept on a recorded update that never took place. */
    static final String REFUSED = "the ref update did not take place (the push was refused or cut short): nothing built";

    private final Repos repos;
    private final Triggers triggers;
    private final RefUpdateLog updates;
    private final BuildService builds;
    private final Commits commits;
    private final Clock clock;

    public GitBuilds(Repos repos, Triggers triggers, RefUpdateLog updates, BuildService builds, Commits commits,
                     Clock clock) {
        this.repos = repos;
        this.triggers = triggers;
        this.updates = updates;
        this.builds = builds;
        this.commits = commits;
        this.clock = clock;
    }

    @Override
    public Accepted accept(String repo, List<RefUpdate> moved, Provenance.Cause cause) {
        return accept(repo, moved, cause, null);
    }

    @Override
    public Accepted accept(String repo, List<RefUpdate> moved, Provenance.Cause cause, String actor) {
        List<RefUpdateLog.Entry> entries = updates.record(repo, moved, cause, actor, clock.millis());
        return undone -> {
            List<String> lines = new ArrayList<>();
            for (RefUpdateLog.Entry e : entries) {
                if (undone.contains(e.update())) {
                    updates.done(e.id(), REFUSED, clock.millis());
                } else {
                    lines.addAll(process(e));
                }
            }
            return lines;
        };
    }

    /**
     * Builds what was accepted but not built before the server stopped; a mirror's move recorded
     * but not yet shown by its refs is finished first ({@link Repos#settle}).
     */
    public void resumePending() {
        for (RefUpdateLog.Entry e : updates.pending()) {
            log.info("building {} {} of {}, accepted before the restart", e.update().ref(), e.update().newSha(), e.repo());
            try {
                if (!repos.settle(e.repo(), e.update())) {
                    log.info("{} {} of {} was never applied (its push failed): nothing to build", e.update().ref(),
                            e.update().newSha(), e.repo());
                    updates.done(e.id(), REFUSED, clock.millis());
                    continue;
                }
            } catch (Refusal gone) {
                // The repo was deleted since: process() records that.
            } catch (IOException ex) {
                log.error("{} of {}: cannot move the mirror's ref to {}; building it anyway", e.update().ref(), e.repo(),
                        e.update().newSha(), ex);
            }
            process(e);
        }
    }

    /**
     * Starts the builds of one recorded update and marks it processed. A build refused for its
     * config is kept as the update's error; any other failure leaves it pending for the next start.
     */
    private List<String> process(RefUpdateLog.Entry e) {
        RefUpdate u = e.update();
        List<String> lines = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        List<Trigger> matching = u.isDeletion() ? List.of() : triggers.list(e.repo()).stream()
                .filter(Trigger::enabled).filter(t -> Triggers.matches(t, u.ref())).toList();
        SourceStore.Hold held = null;
        try {
            if (!matching.isEmpty()) {
                try (Repository db = repos.open(e.repo())) {
                    ObjectId id = ObjectId.fromString(u.newSha());
                    Commits.Info info = Commits.info(db, id);
                    List<String> changed = null;
                    for (Trigger t : matching) {
                        if (builds.builtFor(e.id(), t.name())) {
                            continue;   // built before a crash cut the processing short
                        }
                        FileGlobs globs = new FileGlobs(t.includedFiles(), t.ignoredFiles());
                        if (globs.filters()) {
                            changed = changed != null ? changed : Commits.changedFiles(db, u.oldSha(), id);
                            if (!globs.builds(changed)) {
                                lines.add(t.name() + ": no build, no changed file passes its includedFiles/ignoredFiles");
                                continue;
                            }
                        }
                        held = held != null ? held : commits.archive(db, id);
                        Provenance git = new Provenance(e.repo(), u.ref(), info.sha(), info.author(), info.message(),
                                t.name(), e.cause(), e.id());
                        lines.add(start(t, held.digest(), t.substitutions(), git, errors));
                    }
                }
            }
            updates.done(e.id(), errors.isEmpty() ? null : String.join("; ", errors), clock.millis());
        } catch (Refusal gone) {
            // The repo was deleted since: nothing to build, now or at any later start.
            updates.done(e.id(), gone.getMessage(), clock.millis());
        } catch (IOException | RuntimeException ex) {
            log.error("{} {} of {}: its builds are not started; tried again at the next start", u.ref(), u.newSha(),
                    e.repo(), ex);
            lines.add("builds not started yet (the server's log says why); they start at the latest when it restarts");
        } finally {
            if (held != null) {
                held.close();
            }
        }
        return lines;
    }

    private String start(Trigger t, String digest, Map<String, String> subs, Provenance git, List<String> errors)
            throws IOException {
        try {
            Build b = builds.fromGit(digest, t.configPath(), subs, git, t.approvalRequired(), null);
            return t.name() + ": build " + b.id() + (t.approvalRequired() ? " waits for approval" : " queued") + " for "
                    + git.commitSha().substring(0, 7);
        } catch (BuildService.RefusedException ex) {
            String why = t.name() + ": " + ex.getMessage() + (ex.problems().isEmpty() ? "" : ": " + String.join("; ", ex.problems()));
            errors.add(why);
            log.warn("no build for {} {} of {}: {}", git.ref(), git.commitSha(), git.repo(), why);
            return "no build, " + why;
        } catch (DiskFloor.DiskFullException ex) {
            // Refused as a submit is, and recorded as the update's error like a bad config: the update
            // is done, so a restart does not build it behind the operator's back once space is freed.
            String why = t.name() + ": " + ex.getMessage();
            errors.add(why);
            log.warn("no build for {} {} of {}: {}", git.ref(), git.commitSha(), git.repo(), why);
            return "no build, " + why;
        }
    }

    /**
     * Builds a branch's head, a tag or a commit of the trigger's repo through the trigger's settings
     * (config, substitutions, then {@code run}'s), as a push would have, with cause {@code manual}.
     * A mirror is fetched first, and what moved there is handed on as a poll would.
     */
    public Build run(String triggerName, TriggerRun run)
            throws IOException, BuildService.RefusedException, DiskFloor.DiskFullException {
        Trigger t = triggers.get(triggerName);
        if (!t.enabled()) {
            throw Refusal.badRequest("trigger " + t.name() + " is disabled; enable it to run it");
        }
        int given = (blank(run.branch()) ? 0 : 1) + (blank(run.tag()) ? 0 : 1) + (blank(run.sha()) ? 0 : 1);
        if (given != 1) {
            throw Refusal.badRequest("name exactly one of branch, tag or sha to build");
        }
        Repo repo = repos.get(t.repo());
        if (repo.kind() == Repo.Kind.MIRRORED) {
            try {
                repos.fetch(repo.name(), Provenance.Cause.POLL, this).build();
            } catch (IOException e) {
                log.warn("trigger {}: fetching {} failed; building from the mirror as it is", t.name(), repo.name());
            }
        }
        try (Repository db = repos.open(repo.name())) {
            String ref = null;
            ObjectId id;
            if (!blank(run.sha())) {
                if (!run.sha().matches("[0-9a-fA-F]{4,40}")) {
                    throw Refusal.badRequest("sha '" + run.sha() + "' is not a commit id (4 to 40 hex digits)");
                }
                id = db.resolve(run.sha() + "^{commit}");
                if (id == null) {
                    throw Refusal.notFound("no commit " + run.sha() + " in repo " + repo.name());
                }
            } else {
                ref = !blank(run.branch()) ? "refs/heads/" + run.branch() : "refs/tags/" + run.tag();
                Ref r = db.exactRef(ref);
                if (r == null) {
                    throw Refusal.notFound("no " + (run.branch() != null ? "branch " + run.branch() : "tag " + run.tag())
                            + " in repo " + repo.name());
                }
                id = db.getRefDatabase().peel(r).getPeeledObjectId() != null
                        ? db.getRefDatabase().peel(r).getPeeledObjectId() : r.getObjectId();
            }
            Commits.Info info = Commits.info(db, id);
            Map<String, String> subs = new LinkedHashMap<>(t.substitutions());
            if (run.substitutions() != null) {
                subs.putAll(run.substitutions());
            }
            try (SourceStore.Hold held = commits.archive(db, id)) {
                return builds.fromGit(held.digest(), t.configPath(), subs,
                        new Provenance(repo.name(), ref, info.sha(), info.author(), info.message(), t.name(),
                                Provenance.Cause.MANUAL, null), t.approvalRequired(), null);
            }
        } catch (org.eclipse.jgit.errors.IncorrectObjectTypeException e) {
            throw Refusal.badRequest(run.sha() + " is not a commit");
        } catch (org.eclipse.jgit.errors.AmbiguousObjectException e) {
            throw Refusal.badRequest("sha " + run.sha() + " names more than one object; give more of it");
        }
    }

    /**
     * A scheduled trigger's run for the cron tick {@code tick}: the head of its schedule branch,
     * built even when no commit came since its last build (continuous training), with cause
     * {@code schedule} and a detail saying whether the commit is new. A mirror is fetched first.
     * Nothing is built (and the log says why) when the branch does not exist.
     */
    public void scheduled(Trigger t, Instant tick) {
        String ref = "refs/heads/" + t.scheduleBranch();
        try {
            Repo repo = repos.get(t.repo());
            if (repo.kind() == Repo.Kind.MIRRORED) {
                try {
                    repos.fetch(repo.name(), Provenance.Cause.POLL, this).build();
                } catch (IOException e) {
                    log.warn("scheduled run of {}: fetching {} failed; building from the mirror as it is", t.name(),
                            repo.name());
                }
            }
            try (Repository db = repos.open(repo.name())) {
                Ref r = db.exactRef(ref);
                if (r == null) {
                    log.warn("scheduled run of trigger {} at {}: no branch {} in repo {}; nothing built", t.name(), tick,
                            t.scheduleBranch(), repo.name());
                    return;
                }
                Commits.Info info = Commits.info(db, r.getObjectId());
                String detail = "scheduled run for " + tick + ": " + builds.latestOf(t.name())
                        .map(last -> info.sha().equals(last.provenance().commitSha())
                                ? "no new commit since build " + last.id()
                                : "new commit since build " + last.id() + " (" + shortSha(last.provenance().commitSha()) + ")")
                        .orElse("first build of this trigger");
                Build b;
                try (SourceStore.Hold held = commits.archive(db, r.getObjectId())) {
                    b = builds.fromGit(held.digest(), t.configPath(), t.substitutions(),
                            new Provenance(repo.name(), ref, info.sha(), info.author(), info.message(), t.name(),
                                    Provenance.Cause.SCHEDULE, null), t.approvalRequired(), detail);
                }
                log.info("trigger {}: build {} of {} {}: {}", t.name(), b.id(), t.scheduleBranch(), shortSha(info.sha()),
                        detail);
            }
        } catch (BuildService.RefusedException e) {
            log.warn("scheduled run of trigger {} at {}: no build, {}{}", t.name(), tick, e.getMessage(),
                    e.problems().isEmpty() ? "" : ": " + String.join("; ", e.problems()));
        } catch (DiskFloor.DiskFullException e) {
            log.warn("scheduled run of trigger {} at {}: no build, {}", t.name(), tick, e.getMessage());
        } catch (IOException | RuntimeException e) {
            log.error("scheduled run of trigger {} at {} failed", t.name(), tick, e);
        }
    }

    private static String shortSha(String sha) {
        return sha == null ? "?" : sha.substring(0, Math.min(7, sha.length()));
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
