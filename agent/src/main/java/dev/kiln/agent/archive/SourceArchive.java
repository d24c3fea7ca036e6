package dev.kiln.agent.archive;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
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
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Packs a working directory into a build's source archive (tar.gz) and unpacks one into a
 * workspace, refusing any entry that would land outside it ({@code ../}, absolute paths, links
 * that point out).
 */
public final class SourceArchive {

    /** What was packed. */
    public record Packed(int files, long bytes) {}

    private SourceArchive() {}

    public static Packed pack(Path root, OutputStream out) throws IOException {
        int[] files = {0};
        long[] bytes = {0};
        try (var gz = new GZIPOutputStream(out, 1 << 16);
             var tar = new TarArchiveOutputStream(gz)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            packDir(root, root, "", IgnoreRules.top(root), tar, files, bytes);
            tar.finish();
        }
        return new Packed(files[0], bytes[0]);
    }

    private static void packDir(Path root, Path dir, String rel, IgnoreRules rules, TarArchiveOutputStream tar,
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
                TarArchiveEntry e = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
                e.setLinkName(Files.readSymbolicLink(child).toString());
                tar.putArchiveEntry(e);
                tar.closeArchiveEntry();
                files[0]++;
            } else if (directory) {
                TarArchiveEntry e = new TarArchiveEntry(name + "/");
                e.setMode(0755);
                tar.putArchiveEntry(e);
                tar.closeArchiveEntry();
                packDir(root, child, name, rules.enter(child, name), tar, files, bytes);
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

    /** Unpacks into {@code target} (created if missing). Nothing is written outside it. */
    public static int unpack(InputStream archive, Path target) throws IOException {
        Files.createDirectories(target);
        Path root = target.toRealPath();
        int count = 0;
        try (var tar = new TarArchiveInputStream(new GZIPInputStream(new BufferedInputStream(archive, 1 << 16), 1 << 16))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                Path dest = inside(root, e.getName());
                if (e.isDirectory()) {
                    Files.createDirectories(dest);
                    checkReal(root, dest, e.getName());
                    continue;
                }
                Files.createDirectories(dest.getParent());
                checkReal(root, dest.getParent(), e.getName());
                if (e.isSymbolicLink()) {
                    Path linkTarget = dest.getParent().resolve(e.getLinkName()).normalize();
                    if (Path.of(e.getLinkName()).isAbsolute() || !linkTarget.startsWith(root)) {
                        throw new UnsafeArchiveException("archive entry '" + e.getName() + "' is a link to '"
                                + e.getLinkName() + "', outside the workspace");
                    }
                    Files.deleteIfExists(dest);
                    Files.createSymbolicLink(dest, Path.of(e.getLinkName()));
                } else if (e.isLink()) {
                    throw new UnsafeArchiveException("archive entry '" + e.getName() + "' is a hard link; not allowed");
                } else if (e.isFile()) {
                    if (Files.isSymbolicLink(dest)) {
                        throw new UnsafeArchiveException("archive entry '" + e.getName() + "' would write through a link");
                    }
                    Files.copy(tar, dest, StandardCopyOption.REPLACE_EXISTING);
                    if ((e.getMode() & 0100) != 0) {
                        Set<PosixFilePermission> perms = EnumSet.copyOf(Files.getPosixFilePermissions(dest));
                        perms.add(PosixFilePermission.OWNER_EXECUTE);
                        perms.add(PosixFilePermission.GROUP_EXECUTE);
                        perms.add(PosixFilePermission.OTHERS_EXECUTE);
                        Files.setPosixFilePermissions(dest, perms);
                    }
                    count++;
                }
            }
        }
        return count;
    }

    /**
     * Reads one file from an archive without unpacking it, refusing one over {@code limit} bytes.
     * Empty when the archive has no such regular file.
     */
    public static Optional<byte[]> readFile(InputStream archive, String name, int limit) throws IOException {
        String wanted = Path.of(name).normalize().toString();
        try (var tar = new TarArchiveInputStream(new GZIPInputStream(new BufferedInputStream(archive, 1 << 16)))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                String entry = e.getName().startsWith("./") ? e.getName().substring(2) : e.getName();
                if (!Path.of(entry).normalize().toString().equals(wanted) || !e.isFile()) {
                    continue;
                }
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                byte[] buf = new byte[8192];
                int n;
                while ((n = tar.read(buf)) > 0) {
                    if (out.size() + n > limit) {
                        out.write(buf, 0, n);
                        return Optional.of(out.toByteArray());
                    }
                    out.write(buf, 0, n);
                }
                return Optional.of(out.toByteArray());
            }
        }
        return Optional.empty();
    }

    /** Lists every entry that would escape a workspace; empty for a safe archive. */
    public static List<String> unsafeEntries(InputStream archive) throws IOException {
        List<String> bad = new ArrayList<>();
        Path root = Path.of("/workspace");
        try (var tar = new TarArchiveInputStream(new GZIPInputStream(new BufferedInputStream(archive, 1 << 16)))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                try {
                    Path dest = inside(root, e.getName());
                    if (e.isSymbolicLink()) {
                        Path t = dest.getParent().resolve(e.getLinkName()).normalize();
                        if (Path.of(e.getLinkName()).isAbsolute() || !t.startsWith(root)) {
                            bad.add(e.getName() + " -> " + e.getLinkName());
                        }
                    } else if (e.isLink()) {
                        bad.add(e.getName() + " (hard link)");
                    }
                } catch (UnsafeArchiveException ex) {
                    bad.add(e.getName());
                }
            }
        }
        return bad;
    }

    private static Path inside(Path root, String name) throws UnsafeArchiveException {
        Path p = Path.of(name);
        Path dest = root.resolve(name).normalize();
        if (p.isAbsolute() || !dest.startsWith(root) || dest.equals(root) && !name.matches("\\.?/?")) {
            throw new UnsafeArchiveException("archive entry '" + name + "' points outside the workspace");
        }
        return dest;
    }

    private static void checkReal(Path root, Path dir, String name) throws IOException {
        // A link made by an earlier entry must not let a later one write outside.
        if (!dir.toRealPath().startsWith(root)) {
            throw new UnsafeArchiveException("archive entry '" + name + "' would be written outside the workspace");
        }
    }
}
