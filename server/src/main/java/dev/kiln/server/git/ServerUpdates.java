package dev.kiln.server.git;

import dev.kiln.server.store.Provenance;
import java.io.IOException;
import java.util.List;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevWalk;

/**
 * The server's own moves of a repo's branches (what a promotion does). For a hosted repo it is the
 * one way into a protected branch, since {@link BranchProtection} guards pushes only; a move is
 * recorded and built as a push is (recorded before the ref moves). For a mirror, the branch is pushed
 * to the remote with the mirror's credentials and fetched back at once, which records and builds it.
 * Either way it happens only from the commit the caller expects.
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
        return move(repo, branch, expectedOld, newSha, cause, false);
    }

    /**
     * As {@link #move(String, String, String, String, Provenance.Cause)}; {@code backwards}: the move
     * may leave commits behind (a rollback), which for a mirror is a push forced only if the remote is
     * still at {@code expectedOld}.
     */
    public List<String> move(String repo, String branch, String expectedOld, String newSha, Provenance.Cause cause,
                             boolean backwards) throws IOException {
        Repo r = repos.get(repo);
        String ref = "refs/heads/" + branch;
        if (!Repository.isValidRefName(ref)) {
            throw Refusal.badRequest("'" + branch + "' is not a branch name");
        }
        if (r.kind() != Repo.Kind.HOSTED) {
            try (Repository db = repos.open(repo)) {
                MirrorPush.run(db, r.url(), repos.credentials(r), ref, expectedOld, newSha, backwards);
            }
            return repos.fetchRefs(repo, List.of(ref), cause, listener, Repos.Fetched::build);
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
