package dev.kiln.spec.archive;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

/**
 * Reads a source archive (tar.gz) without unpacking it: what the server checks an upload with, by
 * the same {@link ArchiveRules} the agent unpacks with.
 */
public final class SourceInspector {

    private SourceInspector() {}

    /**
     * What the server needs to know of an upload, read in one pass: the unsafe entries, and some
     * files with their whole sizes (their content is cut at the limit asked for).
     */
    public record Inspection(List<String> unsafe, Map<String, byte[]> files, Map<String, Long> sizes) {}

    /**
     * Lists every entry that would escape a workspace, or that unpacking would refuse; empty for a
     * safe archive. Works on the names alone, following the archive's own links as unpacking would.
     */
    public static List<String> unsafeEntries(InputStream archive) throws IOException {
        return inspect(archive, List.of(), 0, ArchiveLimits.DEFAULTS).unsafe();
    }

    /**
     * Lists the unsafe entries as {@link #unsafeEntries} does and, in the same pass, reads each
     * regular file named in {@code names} (normalized paths), at most {@code limit} bytes of each.
     * Reads every entry whole, as unpacking would, so an archive over {@code limits} is refused here
     * (with an {@link ArchiveLimitException}) rather than on an agent.
     */
    public static Inspection inspect(InputStream archive, List<String> names, int limit, ArchiveLimits limits)
            throws IOException {
        Map<String, byte[]> files = new HashMap<>();
        Map<String, Long> sizes = new HashMap<>();
        List<String> bad = new ArrayList<>();
        ArchiveRules rules = new ArchiveRules();
        try (ArchiveReader tar = new ArchiveReader(archive, limits)) {
            TarArchiveEntry e;
            while ((e = tar.next()) != null) {
                ArchiveRules.Verdict v = rules.check(e);
                if (!v.safe()) {
                    bad.add(v.problem().listed());
                } else if (ArchiveRules.isRegularFile(e) && names.contains(v.path()) && !files.containsKey(v.path())) {
                    byte[] head = tar.content().readNBytes(limit);
                    files.put(v.path(), head);
                    sizes.put(v.path(), head.length + tar.content().transferTo(OutputStream.nullOutputStream()));
                }
            }
        }
        return new Inspection(List.copyOf(bad), Map.copyOf(files), Map.copyOf(sizes));
    }

    /**
     * Reads one file from an archive without unpacking it. Returns at most {@code limit} bytes: a
     * longer file comes back cut at {@code limit}, so a caller that passes its maximum plus one can
     * tell the file is too big. Empty when the archive has no such regular file.
     */
    public static Optional<byte[]> readFile(InputStream archive, String name, int limit) throws IOException {
        String wanted = Path.of(name).normalize().toString();
        try (ArchiveReader tar = new ArchiveReader(archive, ArchiveLimits.DEFAULTS)) {
            TarArchiveEntry e;
            while ((e = tar.next()) != null) {
                String entry = e.getName().startsWith("./") ? e.getName().substring(2) : e.getName();
                if (!Path.of(entry).normalize().toString().equals(wanted) || !ArchiveRules.isRegularFile(e)) {
                    continue;
                }
                return Optional.of(tar.content().readNBytes(limit));
            }
        }
        return Optional.empty();
    }
}
