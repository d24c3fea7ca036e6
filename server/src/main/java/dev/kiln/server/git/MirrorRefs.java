package dev.kiln.server.git;

import java.io.IOException;
import java.util.List;
import org.eclipse.jgit.lib.BatchRefUpdate;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.ReceiveCommand;

/** Moves a mirror's refs as recorded moves say, each only from the commit its move started at. */
final class MirrorRefs {
    private MirrorRefs() {}

    /** Where {@code ref} points now, unpeeled; {@link RefUpdate#ZERO} when it does not exist. */
    static String at(Repository db, String ref) throws IOException {
        Ref r = db.exactRef(ref);
        return r == null || r.getObjectId() == null ? RefUpdate.ZERO : r.getObjectId().name();
    }

    /** Applies {@code moves} in one batch (force-pushes and deletions included); fails if any ref moved meanwhile. */
    static void apply(Repository db, List<RefUpdate> moves) throws IOException {
        BatchRefUpdate batch = db.getRefDatabase().newBatchUpdate().setAllowNonFastForwards(true);
        try (RevWalk walk = new RevWalk(db)) {
            for (RefUpdate u : moves) {
                // Forced (allowNonFastForwards): the old commit is only the expected value, a rewind moves too.
                batch.addCommand(new ReceiveCommand(ObjectId.fromString(u.oldSha()), ObjectId.fromString(u.newSha()), u.ref()));
            }
            batch.execute(walk, NullProgressMonitor.INSTANCE);
        }
        for (ReceiveCommand c : batch.getCommands()) {
            if (c.getResult() != ReceiveCommand.Result.OK) {
                throw new IOException("moving " + c.getRefName() + " in the mirror failed: " + c.getResult()
                        + (c.getMessage() != null ? " " + c.getMessage() : ""));
            }
        }
    }
}
