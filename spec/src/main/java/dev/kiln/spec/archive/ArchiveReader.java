package dev.kiln.spec.archive;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Reads a source archive (tar.gz) entry by entry within its {@link ArchiveLimits}, counting the
 * bytes it really yields: a header's size is never trusted alone, as a sparse entry that says it
 * holds 4 bytes can read as gigabytes of zeros. Throws {@link ArchiveLimitException} before it
 * hands out a byte past a limit.
 */
public final class ArchiveReader implements Closeable {
    /** Names and attributes come in headers that the tar reader keeps in memory whole. */
    static final long MAX_HEADER_BYTES = 1 << 20;

    private final ArchiveLimits limits;
    private final Counted raw;
    private final TarArchiveInputStream tar;
    private final InputStream content = new Content();
    private TarArchiveEntry entry;
    private int entries;
    private long total;   // bytes the entries read as, all together
    private long read;    // bytes the current entry has read as

    public ArchiveReader(InputStream archive, ArchiveLimits limits) throws IOException {
        this.limits = limits;
        this.raw = new Counted(gzip(new BufferedInputStream(archive, 1 << 16)));
        this.tar = new TarArchiveInputStream(raw);
    }

    /** The gzip stream; one that is empty or not gzip at all is refused with a message that says which. */
    private static GZIPInputStream gzip(BufferedInputStream in) throws IOException {
        in.mark(1);
        if (in.read() < 0) {
            // GZIPInputStream would throw an EOFException without a message.
            throw new IOException("it is empty (0 bytes)");
        }
        in.reset();
        try {
            return new GZIPInputStream(in, 1 << 16);
        } catch (java.util.zip.ZipException | java.io.EOFException e) {
            throw new IOException("it does not start with a gzip header", e);
        }
    }

    /** The next entry, or null after the last; what the one before did not read is read (and counted) first. */
    public TarArchiveEntry next() throws IOException {
        if (entry != null) {
            content.transferTo(OutputStream.nullOutputStream());
        }
        raw.ceiling = raw.count + MAX_HEADER_BYTES;
        entry = tar.getNextEntry();
        raw.ceiling = Long.MAX_VALUE;
        read = 0;
        if (entry == null) {
            return null;
        }
        if (++entries > limits.maxEntries()) {
            throw new ArchiveLimitException("source archive has more than " + limits.maxEntries()
                    + " entries (" + ArchiveLimits.ENTRIES_SETTING + ")");
        }
        // What the header says is enough to refuse early; what is read is counted all the same.
        if (entry.getSize() > limits.maxFileBytes()) {
            throw fileTooLarge();
        }
        if (entry.getSize() > limits.maxBytes() - total) {
            throw tooLarge();
        }
        return entry;
    }

    /** The current entry's bytes. */
    public InputStream content() {
        return content;
    }

    @Override
    public void close() throws IOException {
        tar.close();
    }

    private ArchiveLimitException tooLarge() {
        return new ArchiveLimitException("source archive unpacks to more than " + Sizes.format(limits.maxBytes())
                + " (" + ArchiveLimits.BYTES_SETTING + ")");
    }

    private ArchiveLimitException fileTooLarge() {
        return new ArchiveLimitException("source archive entry '" + entry.getName() + "' is larger than "
                + Sizes.format(limits.maxFileBytes()) + " (" + ArchiveLimits.FILE_BYTES_SETTING + ")");
    }

    /** The entry's bytes, counted against the limits; reads one byte past the room left to tell it is over. */
    private final class Content extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (entry == null) {
                return -1;
            }
            if (len == 0) {
                return 0;
            }
            long room = Math.min(limits.maxFileBytes() - read, limits.maxBytes() - total);
            int n = tar.read(b, off, (int) Math.min(len, room + 1));
            if (n > room) {
                throw read + n > limits.maxFileBytes() ? fileTooLarge() : tooLarge();
            }
            if (n > 0) {
                read += n;
                total += n;
            }
            return n;
        }
    }

    /** The tar stream as it comes out of gzip: headers, padding and content, all counted. */
    private final class Counted extends FilterInputStream {
        long count;
        long ceiling = Long.MAX_VALUE;

        Counted(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                counted(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                counted(n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            return counted(super.skip(n));
        }

        private long counted(long n) throws ArchiveLimitException {
            count += n;
            if (count > limits.maxBytes()) {
                throw tooLarge();
            }
            if (count > ceiling) {
                throw new ArchiveLimitException("source archive has an entry header larger than "
                        + Sizes.format(MAX_HEADER_BYTES) + " (names and attributes take far less)");
            }
            return n;
        }
    }
}
