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
import org.apache.commons.compress.archivers.tar.TarConstants;

/** Builds tar.gz archives entry by entry, hostile ones included (names are written as given). */
public final class Tgz {
    /** {@code zeros}: as many zero bytes after {@code content}, written without holding them. */
    private record Entry(String name, byte type, String linkName, byte[] content, long zeros, int mode) {}

    private final List<Entry> entries = new ArrayList<>();

    public static Tgz archive() {
        return new Tgz();
    }

    public Tgz file(String name, String content) {
        return file(name, content, 0644);
    }

    public Tgz file(String name, String content, int mode) {
        entries.add(new Entry(name, TarArchiveEntry.LF_NORMAL, null, content.getBytes(StandardCharsets.UTF_8), 0, mode));
        return this;
    }

    public Tgz dir(String name) {
        entries.add(new Entry(name.endsWith("/") ? name : name + "/", TarArchiveEntry.LF_DIR, null, new byte[0], 0, 0755));
        return this;
    }

    public Tgz symlink(String name, String target) {
        entries.add(new Entry(name, TarArchiveEntry.LF_SYMLINK, target, new byte[0], 0, 0777));
        return this;
    }

    public Tgz hardLink(String name, String target) {
        entries.add(new Entry(name, TarArchiveEntry.LF_LINK, target, new byte[0], 0, 0644));
        return this;
    }

    /** A file of {@code size} zero bytes: a gzip bomb, as they compress about a thousand to one. */
    public Tgz zeros(String name, long size) {
        entries.add(new Entry(name, TarArchiveEntry.LF_NORMAL, null, new byte[0], size, 0644));
        return this;
    }

    /**
     * A sparse file whose header says {@code content.length} bytes, but which reads as
     * {@code realSize} bytes: zeros (a hole), then {@code content}. Its PAX header is written by
     * hand, as the writer makes no sparse files.
     */
    public Tgz sparse(String name, String content, long realSize) {
        byte[] data = content.getBytes(StandardCharsets.UTF_8);
        paxHeader(paxRecord("GNU.sparse.size", realSize) + paxRecord("GNU.sparse.numblocks", 1)
                + paxRecord("GNU.sparse.offset", realSize - data.length) + paxRecord("GNU.sparse.numbytes", data.length));
        entries.add(new Entry(name, TarArchiveEntry.LF_NORMAL, null, data, 0, 0644));
        return this;
    }

    /** A PAX header for the entry added next, written by hand (the writer is slow with a huge one). */
    public Tgz pax(String key, String value) {
        return paxHeader(paxRecord(key, value));
    }

    private Tgz paxHeader(String records) {
        entries.add(new Entry("PaxHeaders/next", TarConstants.LF_PAX_EXTENDED_HEADER_LC, null,
                records.getBytes(StandardCharsets.UTF_8), 0, 0644));
        return this;
    }

    /** One PAX record: its own length in decimal, then " key=value\n". */
    private static String paxRecord(String key, Object value) {
        String body = " " + key + "=" + value + "\n";
        int length = body.length() + String.valueOf(body.length()).length();
        return (String.valueOf(length).length() > String.valueOf(body.length()).length() ? length + 1 : length) + body;
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
                    t.setSize(e.content().length + e.zeros());
                    tar.putArchiveEntry(t);
                    tar.write(e.content());
                    byte[] zeros = new byte[1 << 16];
                    for (long left = e.zeros(); left > 0; left -= zeros.length) {
                        tar.write(zeros, 0, (int) Math.min(left, zeros.length));
                    }
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
