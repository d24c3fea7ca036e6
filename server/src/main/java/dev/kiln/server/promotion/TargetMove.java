package dev.kiln.server.promotion;

import dev.kiln.server.git.RefUpdate;
import dev.kiln.server.git.Refusal;
import dev.kiln.server.git.Repos;
import dev.kiln.server.git.ServerUpdates;
import dev.kiln.server.store.Build;
import dev.kiln.server.store.BuildImages;
import dev.kiln.server.store.BuildStore;
import dev.kiln.server.store.Provenance;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevWalk;

/**
 * Moves a promotion's target branch: only forward for a promotion (never a force-push: if the
 * target moved on to something the candidate does not descend from, the move is refused), and for a
 * rollback only from where the target stood when the rollback was asked for. The move goes through
 * {@link ServerUpdates}, the one way into a protected branch of a hosted repo (a mirror's branch is
 * pushed to its remote), and starts the target's trigger.
 */
final class TargetMove {
    /** Where the target stood before the move, and the build the move started (null: no trigger builds it). */
    record Outcome(String oldSha, String buildId) {}

    private final Repos repos;
    private final ServerUpdates updates;
    private final BuildStore builds;
    private final BuildImages images;

    TargetMove(Repos repos, ServerUpdates updates, BuildStore builds, BuildImages images) {
        this.repos = repos;
        this.updates = updates;
        this.builds = builds;
        this.images = images;
    }

    /** The commit {@code branch} of {@code repo} points at, {@link RefUpdate#ZERO} when it does not exist. */
    String head(String repo, String branch) {
        try {
            String h = repos.head(repo, "refs/heads/" + branch);
            return h == null ? RefUpdate.ZERO : h;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Outcome move(Promotion p) {
        String old = head(p.repo(), p.to());
        if (old.equals(p.commitSha())) {
            throw Refusal.conflict(p.to() + " of " + p.repo() + " is at " + p.shortCommit() + " already");
        }
        if (p.kind() == Promotion.Kind.ROLLBACK) {
            if (!old.equals(p.targetOldSha())) {
                throw Refusal.conflict(p.to() + " of " + p.repo() + " moved since the rollback was asked for (it was at "
                        + shortSha(p.targetOldSha()) + ", it is at " + shortSha(old) + "); ask for the rollback again");
            }
        } else if (!old.equals(RefUpdate.ZERO) && !descends(p.repo(), p.commitSha(), old)) {
            throw Refusal.conflict(p.to() + " of " + p.repo() + " is at " + shortSha(old) + ", which " + p.shortCommit()
                    + " does not descend from: a promotion only fast-forwards, Kiln never force-pushes; merge " + p.to()
                    + " into " + p.from() + ", push, and promote that build");
        }
        try {
            updates.move(p.repo(), p.to(), old, p.commitSha(), Provenance.Cause.PROMOTION,
                    p.kind() == Promotion.Kind.ROLLBACK);
        } catch (IOException e) {
            throw Refusal.conflict("moving " + p.to() + " of " + p.repo() + " failed: " + e.getMessage());
        }
        return new Outcome(old, build(p).map(Build::id).orElse(null));
    }

    /** The newest build a promotion's move of the target branch started. */
    java.util.Optional<Build> build(Promotion p) {
        return builds.list(20, null, new BuildStore.Filter(p.repo(), "refs/heads/" + p.to(), null, null)).stream()
                .filter(b -> p.commitSha().equals(b.provenance().commitSha())
                        && b.provenance().cause() == Provenance.Cause.PROMOTION)
                .findFirst();
    }

    /** The images a production build pushed, as {@code name@digest}. */
    List<String> images(String buildId) {
        return images.of(buildId).stream().map(i -> i.name() + "@" + i.digest()).toList();
    }

    /** Whether {@code commit} has {@code ancestor} in its history (or is it). */
    private boolean descends(String repo, String commit, String ancestor) {
        try (Repository db = repos.open(repo); RevWalk walk = new RevWalk(db)) {
            return walk.isMergedInto(walk.parseCommit(ObjectId.fromString(ancestor)),
                    walk.parseCommit(ObjectId.fromString(commit)));
        } catch (org.eclipse.jgit.errors.MissingObjectException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String shortSha(String sha) {
        return sha == null ? "nothing" : sha.equals(RefUpdate.ZERO) ? "no commit (absent)" : sha.substring(0, 12);
    }
}
