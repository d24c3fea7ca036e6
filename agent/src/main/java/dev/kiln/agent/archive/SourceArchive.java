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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
    public record Packed(int files, long bytes, List<String> skipped) {}

    private SourceArchive() {}

    public static Packed pack(Path root, OutputStream out) throws IOException {
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
                if (target.isAbsolute() || !child.getParent().resolve(target).normalize().startsWith(root.normalize())) {
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
                    directoryInside(root, dest, e.getName());
                    continue;
                }
                if (dest.equals(root)) {
                    throw new UnsafeArchiveException("archive entry '" + e.getName() + "' would replace the workspace itself");
                }
                // Create the parents one at a time, checking each before anything is made beneath it,
                // then work with the parent's real path, so no link (made by this archive) is followed out.
                Path parent = directoryInside(root, dest.getParent(), e.getName());
                Path here = parent.resolve(dest.getFileName());
                if (e.isSymbolicLink()) {
                    checkLink(root, parent, e.getName(), e.getLinkName());
                    Files.deleteIfExists(here);
                    Files.createSymbolicLink(here, Path.of(e.getLinkName()));
                } else if (e.isLink()) {
                    throw new UnsafeArchiveException("archive entry '" + e.getName() + "' is a hard link; not allowed");
                } else if (e.isCharacterDevice() || e.isBlockDevice() || e.isFIFO()) {
                    continue; // Not something a source tree holds; leave it out.
                } else if (e.isFile()) {
                    if (Files.isSymbolicLink(here)) {
                        throw new UnsafeArchiveException("archive entry '" + e.getName() + "' would write through a link");
                    }
                    Files.copy(tar, here, StandardCopyOption.REPLACE_EXISTING);
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
     * Reads one file from an archive without unpacking it. Returns at most {@code limit} bytes: a
     * longer file comes back cut at {@code limit}, so a caller that passes its maximum plus one can
     * tell the file is too big. Empty when the archive has no such regular file.
     */
    public static Optional<byte[]> readFile(InputStream archive, String name, int limit) throws IOException {
        String wanted = Path.of(name).normalize().toString();
        try (var tar = new TarArchiveInputStream(new GZIPInputStream(new BufferedInputStream(archive, 1 << 16)))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                String entry = e.getName().startsWith("./") ? e.getName().substring(2) : e.getName();
                if (!Path.of(entry).normalize().toString().equals(wanted) || !isRegularFile(e)) {
                    continue;
                }
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                byte[] buf = new byte[8192];
                int n;
                while (out.size() < limit && (n = tar.read(buf, 0, Math.min(buf.length, limit - out.size()))) > 0) {
                    out.write(buf, 0, n);
                }
                return Optional.of(out.toByteArray());
            }
        }
        return Optional.empty();
    }

    /**
     * Lists every entry that would escape a workspace, or that {@link #unpack} would refuse; empty
     * for a safe archive. Works on the names alone, following the archive's own links as unpack would.
     */
    public static List<String> unsafeEntries(InputStream archive) throws IOException {
        return inspect(archive, List.of(), 0).unsafe();
    }

    /**
     * What the server needs to know of an upload, read in one pass: the unsafe entries, and some
     * files with their whole sizes (their content is cut at the limit asked for).
     */
    public record Inspection(List<String> unsafe, Map<String, byte[]> files, Map<String, Long> sizes) {}

    /**
     * Lists the unsafe entries as {@link #unsafeEntries} does and, in the same pass, reads each
     * regular file named in {@code names} (normalized paths), at most {@code limit} bytes of each.
     */
    public static Inspection inspect(InputStream archive, List<String> names, int limit) throws IOException {
        Map<String, byte[]> files = new HashMap<>();
        Map<String, Long> sizes = new HashMap<>();
        List<String> bad = new ArrayList<>();
        Path root = Path.of("/workspace");
        Map<String, String> links = new HashMap<>(); // where a link lands (resolved) -> its target
        try (var tar = new TarArchiveInputStream(new GZIPInputStream(new BufferedInputStream(archive, 1 << 16)))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                Path dest;
                try {
                    dest = inside(root, e.getName());
                } catch (UnsafeArchiveException ex) {
                    bad.add(e.getName());
                    continue;
                }
                if (e.isLink() && !e.isSymbolicLink()) {
                    bad.add(e.getName() + " (hard link)");
                    continue;
                }
                List<String> path = new ArrayList<>();
                root.relativize(dest).forEach(c -> path.add(c.toString()));
                path.removeIf(String::isEmpty);
                if (path.isEmpty()) {
                    if (!e.isDirectory()) {
                        bad.add(e.getName() + " (replaces the workspace)");
                    }
                    continue;
                }
                List<String> resolved = resolve(links, e.isDirectory() ? path : path.subList(0, path.size() - 1));
                if (resolved == null) {
                    bad.add(e.getName() + " (through a link that leads outside)");
                    continue;
                }
                if (e.isDirectory()) {
                    continue;
                }
                String here = String.join("/", resolved) + (resolved.isEmpty() ? "" : "/") + path.get(path.size() - 1);
                if (e.isSymbolicLink()) {
                    if (linkProblem(resolved.size(), e.getLinkName()) != null) {
                        bad.add(e.getName() + " -> " + e.getLinkName());
                    } else {
                        links.put(here, e.getLinkName());
                    }
                } else if (isRegularFile(e) && links.containsKey(here)) {
                    bad.add(e.getName() + " (written through a link)");
                } else if (isRegularFile(e) && names.contains(String.join("/", path)) && !files.containsKey(String.join("/", path))) {
                    files.put(String.join("/", path), tar.readNBytes(limit));
                    sizes.put(String.join("/", path), e.getSize());
                }
            }
        }
        return new Inspection(List.copyOf(bad), Map.copyOf(files), Map.copyOf(sizes));
    }

    private static boolean isRegularFile(TarArchiveEntry e) {
        return e.isFile() && !e.isSymbolicLink() && !e.isLink()
                && !e.isCharacterDevice() && !e.isBlockDevice() && !e.isFIFO();
    }

    /**
     * Resolves {@code path} (names below the workspace) through the links in {@code links}, as the
     * file system would; null when it leaves the workspace (or loops).
     */
    private static List<String> resolve(Map<String, String> links, List<String> path) {
        Deque<String> todo = new ArrayDeque<>(path);
        List<String> at = new ArrayList<>();
        int hops = 0;
        while (!todo.isEmpty()) {
            String c = todo.pollFirst();
            if (c.isEmpty() || c.equals(".")) {
                continue;
            }
            if (c.equals("..")) {
                if (at.isEmpty()) {
                    return null;
                }
                at.remove(at.size() - 1);
                continue;
            }
            at.add(c);
            String target = links.get(String.join("/", at));
            if (target != null) {
                if (++hops > 40 || target.startsWith("/")) {
                    return null;
                }
                at.remove(at.size() - 1);
                String[] parts = target.split("/");
                for (int i = parts.length - 1; i >= 0; i--) {
                    todo.addFirst(parts[i]);
                }
            }
        }
        return at;
    }

    /**
     * Why a link to {@code target}, made in a directory {@code depth} levels below the workspace
     * (its real path), could lead outside; null when it cannot. Besides absolute targets and ones
     * that climb too far, a target that goes up after going down ({@code a/../b}) is refused: if
     * {@code a} is, or later becomes, a link, that climb is not the one it looks like.
     */
    private static String linkProblem(int depth, String target) {
        if (target.isEmpty()) {
            return "is empty";
        }
        if (target.startsWith("/")) {
            return "is absolute";
        }
        int up = 0;
        boolean down = false;
        for (String c : target.split("/")) {
            if (c.equals("..")) {
                if (down) {
                    return "goes up after going down";
                }
                up++;
            } else if (!c.isEmpty() && !c.equals(".")) {
                down = true;
            }
        }
        return up > depth ? "leads outside" : null;
    }

    private static void checkLink(Path root, Path realParent, String name, String target) throws UnsafeArchiveException {
        Path below = root.relativize(realParent);
        String problem = linkProblem(below.toString().isEmpty() ? 0 : below.getNameCount(), target);
        if (problem != null) {
            throw new UnsafeArchiveException("archive entry '" + name + "' is a link to '" + target
                    + "', outside the workspace or possibly so (its target " + problem + ")");
        }
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
                    throw new UnsafeArchiveException("archive entry '" + name + "' would be written outside the workspace");
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

    private static Path inside(Path root, String name) throws UnsafeArchiveException {
        Path p = Path.of(name);
        Path dest = root.resolve(name).normalize();
        if (p.isAbsolute() || !dest.startsWith(root) || dest.equals(root) && !name.matches("\\.?/?")) {
            throw new UnsafeArchiveException("archive entry '" + name + "' points outside the workspace");
        }
        return dest;
    }
}
