package dev.kiln.server.builds;

import dev.kiln.spec.archive.ArchiveLimits;
import dev.kiln.spec.archive.SourceDigest;
import dev.kiln.spec.archive.SourceInspector;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.List;

/**
 * Source archives, content-addressed by SHA-256 under {@code <data>/sources}. {@code maxBytes}
 * bounds an upload as it arrives; {@code limits}, what a stored archive may unpack to.
 */
public final class SourceStore {
    private final Path root;
    private final long maxBytes;
    private final ArchiveLimits limits;

    public SourceStore(Path root, long maxBytes, ArchiveLimits limits) throws IOException {
        this.root = Files.createDirectories(root);
        this.maxBytes = maxBytes;
        this.limits = limits;
    }

    /** Stores an upload and returns its digest ({@code sha256:<hex>}). */
    public String store(InputStream in) throws IOException {
        return store(out -> {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
            }
        });
    }

    /** Writes an archive into the store (as the server makes one from a git commit). */
    public interface ArchiveWriter {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Stores what {@code writer} writes, within the same size limit as an upload, and returns its digest. */
    public String store(ArchiveWriter writer) throws IOException {
        Path tmp = Files.createTempFile(root, "upload", ".part");
        try {
            MessageDigest sha = SourceDigest.newDigest();
            try (OutputStream out = new Bounded(new DigestOutputStream(Files.newOutputStream(tmp), sha), maxBytes)) {
                writer.writeTo(out);
            }
            String digest = SourceDigest.name(sha);
            Path dest = path(digest);
            if (!Files.exists(dest)) {
                Files.move(tmp, dest, StandardCopyOption.ATOMIC_MOVE);
            }
            return digest;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    public Path path(String digest) {
        if (!SourceDigest.isValid(digest)) {
            throw new IllegalArgumentException("bad digest " + digest);
        }
        return root.resolve(digest.substring(7) + ".tgz");
    }

    public InputStream open(String digest) throws IOException {
        return Files.newInputStream(path(digest));
    }

    /**
     * Reads a stored archive as {@link SourceInspector#inspect} does, within this store's limits.
     *
     * @throws dev.kiln.spec.archive.ArchiveLimitException if it unpacks to more than they allow
     */
    public SourceInspector.Inspection inspect(String digest, List<String> names, int limit) throws IOException {
        try (InputStream in = open(digest)) {
            return SourceInspector.inspect(in, names, limit, limits);
        }
    }

    /** Refuses to write past {@code max} bytes. */
    private static final class Bounded extends java.io.FilterOutputStream {
        private final long max;
        private long total;

        Bounded(OutputStream out, long max) {
            super(out);
            this.max = max;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            total += len;
            if (total > max) {
                throw new SourceTooLargeException(max);
            }
            out.write(b, off, len);
        }
    }

    /** An upload over the size limit. */
    public static final class SourceTooLargeException extends IOException {
        public SourceTooLargeException(long max) {
            super("source archive is larger than " + max + " bytes");
        }
    }
}
