package dev.kiln.agent.archive;

import dev.kiln.spec.archive.ArchiveLimitException;
import dev.kiln.spec.archive.ArchiveLimits;
import dev.kiln.spec.archive.ArchiveReader;
import dev.kiln.spec.archive.ArchiveRules;
import dev.kiln.spec.archive.UnsafeArchiveException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Packs a working directory into a build's source archive (tar.gz) and unpacks one into a
 * workspace, refusing any entry that would land outside it (by {@link ArchiveRules}).
 */
public final class SourceArchive {

    /** What was packed. */
    public record Packed(int files, long bytes, List<String> skipped) {}

    private SourceArchive() {}

    /**
     * Packs {@code dir} (relative to the working directory or absolute; {@code .} and {@code ..}
     * allowed). Links that point outside it are left out and named in {@link Packed#skipped()}.
     */
    public static Packed pack(Path dir, OutputStream out) throws IOException {
        // Compare link targets against the absolute root: "." normalises to the empty path, which no
        // resolved target starts with, so every link would be taken for one pointing outside.
        Path root = dir.toAbsolutePath().normalize();
        int[] files = {0};
        List<String> skipped = new ArrayList<>();
        long[] bytes = {0};
        try (var gz = new GZIPOutputStream(out, 1 << 16);
             var tar = new TarArchiveOutputStream(gz)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            packDir(root, root, "", IgnoreRules.top(root), tar, skipped, files, bytes);
            tar.finish();
        }
        return new Packed(files[0], bytes[0], List.copyOf(skipped));
    }

    private static void packDir(Path root, Path dir, String rel, IgnoreRules rules, TarArchiveOutputStream tar,
                                List<String> skipped,
                                int[] files, long[] bytes) throws IOException {
        List<Path> children;
        try (Stream<Path> s = Files.list(dir)) {
            children = s.sorted().toList();
        }
        for (Path child : children) {
            String name = rel.isEmpty() ? child.getFileName().toString() : rel + "/" + child.getFileName();
            boolean link = Files.isSymbolicLink(child);
            boolean directory = !link && Files.isDirectory(child);
            if (rules.ignored(name, directory)) {
                continue;
            }
            if (link) {
                Path target = Files.readSymbolicLink(child);
                if (target.isAbsolute() || !child.getParent().resolve(target).normalize().startsWith(root)) {
                    // The server refuses links out of the workspace; leave such a link (a virtualenv's
                    // python, say) out and say so, rather than fail the whole submit.
                    skipped.add(name + " -> " + target);
                    continue;
                }
                TarArchiveEntry e = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
                e.setLinkName(target.toString());
                tar.putArchiveEntry(e);
                tar.closeArchiveEntry();
                files[0]++;
            } else if (directory) {
                TarArchiveEntry e = new TarArchiveEntry(name + "/");
                e.setMode(0755);
                tar.putArchiveEntry(e);
                tar.closeArchiveEntry();
                packDir(root, child, name, rules.enter(child, name), tar, skipped, files, bytes);
            } else if (Files.isRegularFile(child)) {
                TarArchiveEntry e = new TarArchiveEntry(child.toFile(), name);
                e.setMode(Files.isExecutable(child) ? 0755 : 0644);
                tar.putArchiveEntry(e);
                Files.copy(child, tar);
                tar.closeArchiveEntry();
                files[0]++;
                bytes[0] += e.getSize();
            }
        }
    }

    /** Unpacks within the {@link ArchiveLimits#DEFAULTS}. */
    public static int unpack(InputStream archive, Path target) throws IOException {
        return unpack(archive, target, ArchiveLimits.DEFAULTS);
    }

    /**
     * Unpacks into {@code target} (created if missing). Nothing is written outside it: each entry
     * must pass {@link ArchiveRules} before anything is made for it, and then the real path of
     * every directory on its way is checked again, in case the file system disagrees. Nothing is
     * written past {@code limits} either ({@link ArchiveLimitException}).
     */
    public static int unpack(InputStream archive, Path target, ArchiveLimits limits) throws IOException {
        Files.createDirectories(target);
        Path root = target.toRealPath();
        ArchiveRules rules = new ArchiveRules();
        int count = 0;
        try (ArchiveReader tar = new ArchiveReader(archive, limits)) {
            TarArchiveEntry e;
            while ((e = tar.next()) != null) {
                ArchiveRules.Verdict v = rules.check(e);
                if (!v.safe()) {
                    throw new UnsafeArchiveException(v.problem().message());
                }
                Path dest = root.resolve(v.path());
                if (e.isDirectory()) {
                    directoryInside(root, dest, e.getName());
                    continue;
                }
                // Create the parents one at a time, checking each before anything is made beneath it,
                // then work with the parent's real path, so no link (made by this archive) is followed out.
                Path parent = directoryInside(root, dest.getParent(), e.getName());
                Path here = parent.resolve(dest.getFileName());
                if (e.isSymbolicLink()) {
                    Path below = root.relativize(parent);
                    ArchiveRules.Problem p = ArchiveRules.link(e.getName(),
                            below.toString().isEmpty() ? 0 : below.getNameCount(), e.getLinkName());
                    if (p != null) {
                        throw new UnsafeArchiveException(p.message());
                    }
                    Files.deleteIfExists(here);
                    Files.createSymbolicLink(here, Path.of(e.getLinkName()));
                } else if (e.isCharacterDevice() || e.isBlockDevice() || e.isFIFO()) {
                    continue; // Not something a source tree holds; leave it out.
                } else if (e.isFile()) {
                    if (Files.isSymbolicLink(here)) {
                        throw new UnsafeArchiveException(ArchiveRules.Problem.writeThroughLink(e.getName()).message());
                    }
                    Files.copy(tar.content(), here, StandardCopyOption.REPLACE_EXISTING);
                    if ((e.getMode() & 0100) != 0) {
                        Set<PosixFilePermission> perms = EnumSet.copyOf(Files.getPosixFilePermissions(here));
                        perms.add(PosixFilePermission.OWNER_EXECUTE);
                        perms.add(PosixFilePermission.GROUP_EXECUTE);
                        perms.add(PosixFilePermission.OTHERS_EXECUTE);
                        Files.setPosixFilePermissions(here, perms);
                    }
                    count++;
                }
            }
        }
        return count;
    }

    /**
     * Makes {@code dir} (a normalized path under {@code root}) and any missing parents, refusing
     * to go on once an existing one (a link) really lies outside {@code root}. Returns its real path.
     */
    private static Path directoryInside(Path root, Path dir, String name) throws IOException {
        Path at = root;
        for (Path c : root.relativize(dir)) {
            if (c.toString().isEmpty()) {
                continue;
            }
            Path next = at.resolve(c);
            if (Files.isSymbolicLink(next) || Files.exists(next)) {
                Path real;
                try {
                    real = next.toRealPath();
                } catch (IOException ex) {
                    throw new IOException("archive entry '" + name + "' goes through '" + root.relativize(next)
                            + "', a link that leads nowhere");
                }
                if (!real.startsWith(root)) {
                    throw new UnsafeArchiveException(ArchiveRules.Problem.throughLinkOut(name).message());
                }
                if (!Files.isDirectory(real)) {
                    throw new IOException("archive entry '" + name + "': '" + root.relativize(next) + "' is not a directory");
                }
                at = real;
            } else {
                Files.createDirectory(next);
                at = next;
            }
        }
        return at;
    }
}
