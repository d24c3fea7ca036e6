package dev.kiln.server.git;

import dev.kiln.server.store.Provenance;
import java.io.IOException;
import java.util.List;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevWalk;

/**
 * The server's own moves of a hosted repo's branches (what a promotion does): the one way into a
 * protected branch, since {@link BranchProtection} guards pushes only. A move is recorded and built
 * as a push is (recorded before the ref moves), and happens only from the commit the caller expects.
 */
public final class ServerUpdates {
    private final Repos repos;
    private final RefListener listener;

    public ServerUpdates(Repos repos, RefListener listener) {
        this.repos = repos;
        this.listener = listener;
    }

    /**
     * Points {@code branch} of the hosted {@code repo} at commit {@code newSha}, if it is still at
     * {@code expectedOld} ({@link RefUpdate#ZERO}: the branch does not exist yet); protected or not.
     * Returns the lines of the builds it started; a 409 {@link Refusal} when the branch moved meanwhile.
     */
    public List<String> move(String repo, String branch, String expectedOld, String newSha, Provenance.Cause cause)
            throws IOException {
        Repo r = repos.get(repo);
        if (r.kind() != Repo.Kind.HOSTED) {
            throw Refusal.badRequest("repo " + repo + " mirrors " + r.url() + ": its branches move there");
        }
        String ref = "refs/heads/" + branch;
        if (!Repository.isValidRefName(ref)) {
            throw Refusal.badRequest("'" + branch + "' is not a branch name");
        }
        RefUpdate move = RefUpdate.of(ref, ObjectId.fromString(expectedOld), ObjectId.fromString(newSha));
        try (Repository db = repos.open(repo)) {
            try (RevWalk walk = new RevWalk(db)) {
                walk.parseCommit(ObjectId.fromString(newSha));
            } catch (org.eclipse.jgit.errors.MissingObjectException | org.eclipse.jgit.errors.IncorrectObjectTypeException e) {
                throw Refusal.badRequest("repo " + repo + " has no commit " + newSha);
            }
            if (!MirrorRefs.at(db, ref).equals(move.oldSha())) {
                throw Refusal.conflict("branch " + branch + " of " + repo + " is no longer at " + expectedOld);
            }
            RefListener.Accepted accepted = listener.accept(repo, List.of(move), cause);
            try {
                MirrorRefs.apply(db, List.of(move));
            } catch (IOException e) {
                accepted.build(List.of(move));   // undone: it builds nothing
                throw Refusal.conflict("branch " + branch + " of " + repo + " moved meanwhile; nothing changed");
            }
            return accepted.build();
        }
    }
}
