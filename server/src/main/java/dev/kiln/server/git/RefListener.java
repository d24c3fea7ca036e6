package dev.kiln.server.git;

import dev.kiln.server.store.Provenance;
import java.util.Collection;
import java.util.List;

/**
 * Told when refs of a repo moved: by a push to a hosted repo (from inside the receive), and by a
 * webhook or a poll of a mirrored one. The one way a ref update reaches the builds, in two steps:
 * {@link #accept} writes the moves down durably, then {@link Accepted#build} starts their builds and
 * returns one line per build started (or refused), which a push shows its user as
 * {@code remote: kiln: ...}. Moves are accepted before the refs show them, so that a stop at any
 * point loses no push: a hosted repo's in its pre-receive, before git tells the pusher "ok"; a
 * mirror's after fetching their objects. Before the record, nothing has moved (the pusher is told
 * the push failed; the next fetch sees the remote's push again); after it, the next start builds
 * what did move ({@link Repos#settle}).
 */
public interface RefListener {
    /** Records {@code updates} of {@code repo} so that they are built even if the server stops now. */
    Accepted accept(String repo, List<RefUpdate> updates, Provenance.Cause cause);

    /**
     * The same for a push by {@code actor} (the user who pushed), whom a promotion's policy may bar
     * from approving what the push built; a listener that keeps no actors ignores it.
     */
    default Accepted accept(String repo, List<RefUpdate> updates, Provenance.Cause cause, String actor) {
        return accept(repo, updates, cause);
    }

    /** Moves written down; {@link #build} starts their builds. */
    @FunctionalInterface
    interface Accepted {
        /** Starts the builds of the moves, but for those in {@code undone}: refused after all, they build nothing. */
        List<String> build(Collection<RefUpdate> undone);

        default List<String> build() {
            return build(List.of());
        }
    }

    /** Records and builds at once. */
    default List<String> refsMoved(String repo, List<RefUpdate> updates, Provenance.Cause cause) {
        return accept(repo, updates, cause).build();
    }
}
