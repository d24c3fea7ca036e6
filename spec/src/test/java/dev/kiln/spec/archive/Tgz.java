package dev.kiln.spec.archive;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** Builds tar.gz archives entry by entry, hostile ones included (names are written as given). */
public final class Tgz {
    private record Entry(String name, byte type, String linkName, byte[] content, int mode) {}

    private final List<Entry> entries = new ArrayList<>();

    public static Tgz archive() {
        return new Tgz();
    }

    public Tgz file(String name, String content) {
        return file(name, content, 0644);
    }

    public Tgz file(String name, String content, int mode) {
        entries.add(new Entry(name, TarArchiveEntry.LF_NORMAL, null, content.getBytes(StandardCharsets.UTF_8), mode));
        return this;
    }

    public Tgz dir(String name) {
        entries.add(new Entry(name.endsWith("/") ? name : name + "/", TarArchiveEntry.LF_DIR, null, new byte[0], 0755));
        return this;
    }

    public Tgz symlink(String name, String target) {
        entries.add(new Entry(name, TarArchiveEntry.LF_SYMLINK, target, new byte[0], 0777));
        return this;
    }

    public Tgz hardLink(String name, String target) {
        entries.add(new Entry(name, TarArchiveEntry.LF_LINK, target, new byte[0], 0644));
        return this;
    }

    public byte[] bytes() {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (var gz = new GZIPOutputStream(out); var tar = new TarArchiveOutputStream(gz)) {
                tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                for (Entry e : entries) {
                    // preserveAbsolutePath = true: keep a leading '/' exactly as a hostile archive would.
                    TarArchiveEntry t = new TarArchiveEntry(e.name(), e.type(), true);
                    t.setMode(e.mode());
                    if (e.linkName() != null) {
                        t.setLinkName(e.linkName());
                    }
                    t.setSize(e.content().length);
                    tar.putArchiveEntry(t);
                    tar.write(e.content());
                    tar.closeArchiveEntry();
                }
                tar.finish();
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
