package dev.kiln.server.git;

import dev.kiln.spec.archive.ArchiveRules;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * Writes the tree of one exact commit as a build's source archive (tar.gz), as {@code kiln submit}
 * would have packed a checkout of it: executable bits and symbolic links kept, submodules (which
 * have no content here) left out, and any entry the {@link ArchiveRules} would refuse (a link
 * leading outside the workspace) left out and named. Every entry carries the commit's time, so
 * one commit always makes the same bytes and its archive is stored once.
 */
public final class TreeArchiver {
    private TreeArchiver() {}

    /** What was left out, as {@code path -> target} or {@code path (submodule)}. */
    public record Archived(int files, List<String> skipped) {}

    public static Archived write(Repository repo, ObjectId commitId, OutputStream out) throws IOException {
        List<String> skipped = new ArrayList<>();
        int files = 0;
        try (RevWalk walk = new RevWalk(repo); TreeWalk tree = new TreeWalk(repo);
             GZIPOutputStream gz = new GZIPOutputStream(nonClosing(out), 1 << 16);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(gz)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            RevCommit commit = walk.parseCommit(commitId);
            Date time = new Date(commit.getCommitTime() * 1000L);
            tree.addTree(commit.getTree());
            tree.setRecursive(true);
            ArchiveRules rules = new ArchiveRules();
            while (tree.next()) {
                String path = tree.getPathString();
                FileMode mode = tree.getFileMode(0);
                if (mode == FileMode.GITLINK) {
                    skipped.add(path + " (submodule)");
                    continue;
                }
                ObjectLoader blob = repo.open(tree.getObjectId(0));
                TarArchiveEntry e;
                if (mode == FileMode.SYMLINK) {
                    e = new TarArchiveEntry(path, TarArchiveEntry.LF_SYMLINK);
                    e.setLinkName(new String(blob.getBytes(), StandardCharsets.UTF_8));
                } else {
                    e = new TarArchiveEntry(path);
                    e.setMode(mode == FileMode.EXECUTABLE_FILE ? 0755 : 0644);
                    e.setSize(blob.getSize());
                }
                e.setModTime(time);
                ArchiveRules.Verdict v = rules.check(e);
                if (!v.safe()) {
                    skipped.add(v.problem().listed());
                    continue;
                }
                tar.putArchiveEntry(e);
                if (!e.isSymbolicLink()) {
                    blob.copyTo(tar);
                }
                tar.closeArchiveEntry();
                files++;
            }
            tar.finish();
        }
        return new Archived(files, List.copyOf(skipped));
    }

    /** The caller owns {@code out}; closing the gzip stream must only finish it. */
    private static OutputStream nonClosing(OutputStream out) {
        return new java.io.FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                flush();
            }
        };
    }
}
