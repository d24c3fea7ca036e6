package dev.kiln.server.git;

import dev.kiln.server.builds.SourceStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.revwalk.filter.RevFilter;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.TreeFilter;

/**
 * What the builds need of a commit: its author and message, the files a push changed, and its
 * tree as a source archive in the {@link SourceStore} (cached by digest like an upload).
 */
public final class Commits {
    private final SourceStore sources;

    public Commits(SourceStore sources) {
        this.sources = sources;
    }

    /** A commit's facts, as a build records them. */
    public record Info(String sha, String author, String message) {}

    public static Info info(Repository db, ObjectId id) throws IOException {
        try (RevWalk walk = new RevWalk(db)) {
            RevCommit c = walk.parseCommit(id);
            PersonIdent a = c.getAuthorIdent();
            return new Info(c.name(), a.getName() + " <" + a.getEmailAddress() + ">", c.getFullMessage().strip());
        }
    }

    /**
     * The paths that differ between {@code oldId}'s tree and {@code newId}'s (both sides of a rename);
     * every file of {@code newId} when there is no old commit (a new branch) or it is not in the repo.
     */
    public static List<String> changedFiles(Repository db, String oldSha, ObjectId newId) throws IOException {
        try (RevWalk walk = new RevWalk(db); TreeWalk tree = new TreeWalk(db)) {
            RevCommit now = walk.parseCommit(newId);
            RevCommit before = null;
            if (!oldSha.equals(RefUpdate.ZERO)) {
                try {
                    before = walk.parseCommit(ObjectId.fromString(oldSha));
                } catch (MissingObjectException | IllegalArgumentException e) {
                    before = null;   // gone (or not a commit): count every file, as for a new branch
                }
            }
            tree.setRecursive(true);
            if (before == null) {
                tree.addTree(now.getTree());
            } else {
                tree.addTree(before.getTree());
                tree.addTree(now.getTree());
                tree.setFilter(TreeFilter.ANY_DIFF);
            }
            Set<String> files = new LinkedHashSet<>();
            while (tree.next()) {
                files.add(tree.getPathString());
            }
            return new ArrayList<>(files);
        }
    }

    /** The best common ancestor of {@code a} and {@code b}, or {@link RefUpdate#ZERO} when they share none. */
    public static String mergeBase(Repository db, ObjectId a, ObjectId b) throws IOException {
        try (RevWalk walk = new RevWalk(db)) {
            walk.setRevFilter(RevFilter.MERGE_BASE);
            walk.markStart(walk.parseCommit(a));
            walk.markStart(walk.parseCommit(b));
            RevCommit base = walk.next();
            return base == null ? RefUpdate.ZERO : base.name();
        }
    }

    /**
     * Archives {@code id}'s tree into the source store and holds it: clean-up leaves it alone until
     * the hold is closed, which the caller does once its builds are in the database.
     */
    public SourceStore.Hold archive(Repository db, ObjectId id) throws IOException {
        return sources.store(out -> TreeArchiver.write(db, id, out));
    }
}
