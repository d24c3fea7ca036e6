package dev.kiln.server.triggers;

import dev.kiln.server.builds.BuildService;
import dev.kiln.server.builds.SourceStore;
import dev.kiln.server.disk.DiskFloor;
import dev.kiln.server.git.Commits;
import dev.kiln.server.git.RefUpdate;
import dev.kiln.server.git.Repo;
import dev.kiln.server.git.Repos;
import dev.kiln.server.store.Build;
import dev.kiln.server.store.Database;
import dev.kiln.server.store.Provenance;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a pull request becomes builds: the server fetches the request's head from the forge into
 * the mirror (never trusting the SHA a payload names), and every enabled pull-request trigger whose
 * branch regex matches the base branch builds it, with {@code _HEAD_BRANCH}, {@code _BASE_BRANCH},
 * {@code _HEAD_REPO_URL} and {@code _PR_NUMBER} (kept with the build, so a retry has them), if its
 * file globs pass the files the request changes since its merge base with the base branch. With
 * comment control, a request from a non-collaborator ({@link Trigger#collaborator}) is recorded as
 * waiting, and a collaborator's {@code /kiln run} starts it. The same head delivered twice builds once.
 */
public final class PullRequestBuilds {
    private static final Logger log = LoggerFactory.getLogger(PullRequestBuilds.class);
    /** What a collaborator comments to run the builds of a waiting pull request (Cloud Build's {@code /gcbrun}). */
    public static final String RUN_COMMAND = "/kiln run";

    private final Repos repos;
    private final Triggers triggers;
    private final BuildService builds;
    private final Commits commits;
    private final PullRequestStore store;
    private final Clock clock;

    public PullRequestBuilds(Database db, Repos repos, Triggers triggers, BuildService builds, Commits commits, Clock clock) {
        this.repos = repos;
        this.triggers = triggers;
        this.builds = builds;
        this.commits = commits;
        this.store = new PullRequestStore(db);
        this.clock = clock;
    }

    /** A pull request opened, updated or reopened: one line per trigger, what it did. */
    public synchronized List<String> changed(PullRequest pr) throws IOException {
        List<Trigger> matching = matching(pr);
        if (matching.isEmpty()) {
            return List.of("no pull-request trigger of " + pr.repo() + " builds into " + pr.baseBranch());
        }
        List<String> lines = new ArrayList<>();
        String head = fetchHead(pr, lines);
        Optional<PullRequestStore.Row> known = store.get(pr.repo(), pr.number());
        if (known.isPresent() && head.equals(known.get().headSha())
                && (head.equals(known.get().builtSha()) || known.get().waiting())) {
            lines.add("pull request " + pr.number() + " at " + head.substring(0, 7) + " was handled already: nothing new");
            return lines;
        }
        boolean waiting = false;
        boolean built = false;
        for (Trigger t : matching) {
            if (t.commentControl() && !t.collaborator(pr.author(), pr.collaborator())) {
                waiting = true;
                lines.add(t.name() + ": waits for a collaborator to comment '" + RUN_COMMAND + "' (" + pr.author()
                        + " is not one)");
                continue;
            }
            lines.add(start(t, pr, head));
            built = true;
        }
        store.put(pr, head, waiting, built ? head : known.map(PullRequestStore.Row::builtSha).orElse(null), clock.millis());
        return lines;
    }

    /**
     * A comment on pull request {@code number}: {@code /kiln run} from a collaborator starts the
     * comment-controlled builds of a waiting request, at the head the forge has now. Who is a
     * collaborator is each trigger's to say ({@link Trigger#collaborator}); {@code forgeSays}: the
     * forge's word on the comment's author.
     */
    public synchronized List<String> commented(String repo, long number, String body, String author, boolean forgeSays)
            throws IOException {
        if (body == null || !body.strip().startsWith(RUN_COMMAND)) {
            return List.of("a comment that is not '" + RUN_COMMAND + "' starts nothing");
        }
        Optional<PullRequestStore.Row> known = store.get(repo, number);
        if (known.isEmpty() || !known.get().waiting()) {
            return List.of("pull request " + number + " has no build waiting for '" + RUN_COMMAND + "'");
        }
        PullRequest pr = known.get().pr();
        List<Trigger> controlled = matching(pr).stream().filter(Trigger::commentControl).toList();
        List<Trigger> allowed = controlled.stream().filter(t -> t.collaborator(author, forgeSays)).toList();
        if (allowed.isEmpty()) {
            log.info("{}: '{}' on pull request {} by {} ignored: not a collaborator", repo, RUN_COMMAND, number, author);
            return List.of("'" + RUN_COMMAND + "' by " + author + " ignored: only a collaborator's starts builds");
        }
        List<String> lines = new ArrayList<>();
        String head = fetchHead(pr, lines);
        for (Trigger t : allowed) {
            lines.add(start(t, pr, head));
        }
        // A trigger whose own list does not name this commenter still waits for one it names.
        store.put(pr, head, allowed.size() < controlled.size(), head, clock.millis());
        return lines;
    }

    private List<Trigger> matching(PullRequest pr) {
        return triggers.list(pr.repo()).stream().filter(Trigger::enabled)
                .filter(t -> Triggers.matchesPullRequest(t, pr.baseBranch())).toList();
    }

    /** Fetches the request's head into the mirror and returns it; says so when the payload named another commit. */
    private String fetchHead(PullRequest pr, List<String> lines) throws IOException {
        if (repos.get(pr.repo()).kind() != Repo.Kind.MIRRORED) {
            throw dev.kiln.server.git.Refusal.badRequest("repo " + pr.repo() + " is hosted by Kiln: it has no pull requests");
        }
        repos.fetchRef(pr.repo(), pr.headRef());
        try (Repository db = repos.open(pr.repo())) {
            Ref r = db.exactRef(pr.headRef());
            if (r == null || r.getObjectId() == null) {
                throw new IOException("the remote has no " + pr.headRef());
            }
            String head = r.getObjectId().name();
            if (pr.claimedSha() != null && !pr.claimedSha().equals(head)) {
                String says = "payload named " + pr.claimedSha() + ", " + pr.headRef() + " is at " + head + "; building " + head;
                log.warn("{}: {}", pr.repo(), says);
                lines.add(says);
            }
            return head;
        }
    }

    /**
     * The files a pull request changes, as Cloud Build compares them for a pull-request trigger: its
     * head against the merge base with the base branch (the mirror's), so commits made on the base
     * since the request branched off do not count. Every file when the base branch is not in the mirror.
     */
    private static List<String> changedFiles(Repository db, PullRequest pr, ObjectId head) throws IOException {
        Ref base = db.exactRef("refs/heads/" + pr.baseBranch());
        String from = base == null || base.getObjectId() == null ? RefUpdate.ZERO
                : Commits.mergeBase(db, base.getObjectId(), head);
        return Commits.changedFiles(db, from, head);
    }

    private String start(Trigger t, PullRequest pr, String head) throws IOException {
        try (Repository db = repos.open(pr.repo())) {
            ObjectId id = ObjectId.fromString(head);
            FileGlobs globs = new FileGlobs(t.includedFiles(), t.ignoredFiles());
            if (globs.filters() && !globs.builds(changedFiles(db, pr, id))) {
                return t.name() + ": no build, no file pull request " + pr.number()
                        + " changes passes its includedFiles/ignoredFiles";
            }
            Commits.Info info = Commits.info(db, id);
            Provenance git = new Provenance(pr.repo(), pr.headRef(), info.sha(), info.author(), info.message(), t.name(),
                    Provenance.Cause.PULL_REQUEST, null);
            Map<String, String> facts = Map.of("_HEAD_BRANCH", pr.headBranch(), "_BASE_BRANCH", pr.baseBranch(),
                    "_HEAD_REPO_URL", pr.headRepoUrl() == null ? "" : pr.headRepoUrl(), "_PR_NUMBER", Long.toString(pr.number()));
            Build b;
            try (SourceStore.Hold held = commits.archive(db, id)) {
                b = builds.fromGit(held.digest(), t.configPath(), t.substitutions(), git, facts, t.approvalRequired(), null);
            }
            return t.name() + ": build " + b.id() + (t.approvalRequired() ? " waits for approval" : " queued")
                    + " for pull request " + pr.number() + " at " + head.substring(0, 7);
        } catch (BuildService.RefusedException ex) {
            String why = t.name() + ": " + ex.getMessage() + (ex.problems().isEmpty() ? "" : ": " + String.join("; ", ex.problems()));
            log.warn("no build for pull request {} of {}: {}", pr.number(), pr.repo(), why);
            return "no build, " + why;
        } catch (DiskFloor.DiskFullException ex) {
            String why = t.name() + ": " + ex.getMessage();
            log.warn("no build for pull request {} of {}: {}", pr.number(), pr.repo(), why);
            return "no build, " + why;
        }
    }
}
