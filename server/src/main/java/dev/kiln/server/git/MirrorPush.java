package dev.kiln.server.git;

import java.io.IOException;
import java.net.URISyntaxException;
import java.util.List;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.URIish;

/**
 * Pushes one branch of a mirror to its remote, from the commit the caller expects it to be at
 * there: what a promotion of a mirrored repo does. A forward move is never forced; a rollback is a
 * lease-checked force (the remote moves only if it is still where the mirror last saw it).
 */
final class MirrorPush {
    private MirrorPush() {}

    static void run(Repository db, String url, CredentialsProvider credentials, String ref, String expectedOld,
                    String newSha, boolean force) throws IOException {
        ObjectId old = expectedOld.equals(RefUpdate.ZERO) ? ObjectId.zeroId() : ObjectId.fromString(expectedOld);
        RemoteRefUpdate update = new RemoteRefUpdate(db, newSha, ref, force, null, old);
        try (Transport t = Transport.open(db, new URIish(url))) {
            t.setTimeout(MirrorFetch.TIMEOUT_SECONDS);
            if (credentials != null) {
                t.setCredentialsProvider(credentials);
            }
            t.push(NullProgressMonitor.INSTANCE, List.of(update));
        } catch (URISyntaxException e) {
            throw Refusal.badRequest("the mirror's url cannot be pushed to: " + e.getMessage());
        } catch (org.eclipse.jgit.errors.TransportException e) {
            throw Refusal.conflict("pushing " + ref + " to " + url + " failed: " + e.getMessage());
        }
        switch (update.getStatus()) {
            case OK, UP_TO_DATE -> { }
            case REJECTED_NONFASTFORWARD -> throw Refusal.conflict(url + " refused " + ref + ": not a fast-forward");
            case REJECTED_REMOTE_CHANGED -> throw Refusal.conflict(ref + " of " + url + " moved since the mirror last"
                    + " fetched it; nothing changed");
            default -> throw Refusal.conflict(url + " refused " + ref + ": " + update.getStatus()
                    + (update.getMessage() != null ? " (" + update.getMessage() + ")" : ""));
        }
    }
}
