package dev.kiln.server.git;

import dev.kiln.server.store.Provenance;
import java.util.List;

/**
 * Told when refs of a repo moved: by a push to a hosted repo (from inside the receive), and later
 * by a webhook or a poll of a mirrored one. The one way a ref update reaches the builds. Returns
 * one line per build started (or refused), which a push shows its user as {@code remote: kiln: ...}.
 */
public interface RefListener {
    List<String> refsMoved(String repo, List<RefUpdate> updates, Provenance.Cause cause);
}
