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
import java.nio.file.NoSuchFileException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Source archives, content-addressed by SHA-256 under {@code <data>/sources}. {@code maxBytes}
 * bounds an upload as it arrives; {@code limits}, what a stored archive may unpack to. An archive
 * is {@linkplain Hold held} from its upload (or a retry) until its build is in the database, so
 * that clean-up, which removes archives no build uses, never takes one a build is about to use.
 */
public final class SourceStore {
    private static final String PART_PREFIX = "upload";
    private static final String PART_SUFFIX = ".part";

    private final Path root;
    private final long maxBytes;
    private final ArchiveLimits limits;
    /** Digest -> how many holds: guarded by {@code this}, as is every removal. */
    private final Map<String, Integer> holds = new HashMap<>();
    /** Uploads being written now: every other {@code upload*.part} is left from a crash. */
    private final Set<Path> writing = ConcurrentHashMap.newKeySet();

    public SourceStore(Path root, long maxBytes, ArchiveLimits limits) throws IOException {
        this.root = Files.createDirectories(root);
        this.maxBytes = maxBytes;
        this.limits = limits;
    }

    /** A stored archive that no clean-up removes until this is closed. */
    public final class Hold implements AutoCloseable {
        private final String digest;
        private boolean closed;

        private Hold(String digest) {
            this.digest = digest;
        }

        /** {@code sha256:<hex>}. */
        public String digest() {
            return digest;
        }

        @Override
        public void close() {
            synchronized (SourceStore.this) {
                if (!closed) {
                    closed = true;
                    holds.computeIfPresent(digest, (d, n) -> n == 1 ? null : n - 1);
                }
            }
        }
    }

    /** Stores an upload and holds it. */
    public Hold store(InputStream in) throws IOException {
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

    /** Stores what {@code writer} writes, within the same size limit as an upload, and holds it. */
    public Hold store(ArchiveWriter writer) throws IOException {
        Path tmp = Files.createTempFile(root, PART_PREFIX, PART_SUFFIX);
        writing.add(tmp);
        try {
            MessageDigest sha = SourceDigest.newDigest();
            try (OutputStream out = new Bounded(new DigestOutputStream(Files.newOutputStream(tmp), sha), maxBytes)) {
                writer.writeTo(out);
            }
            String digest = SourceDigest.name(sha);
            Path dest = path(digest);
            synchronized (this) {
                if (!Files.exists(dest)) {
                    Files.move(tmp, dest, StandardCopyOption.ATOMIC_MOVE);
                }
                return holdNow(digest);
            }
        } finally {
            Files.deleteIfExists(tmp);
            writing.remove(tmp);
        }
    }

    /** Holds an archive already stored (a retry's); {@link NoSuchFileException} if it is gone. */
    public synchronized Hold hold(String digest) throws IOException {
        if (!Files.exists(path(digest))) {
            throw new NoSuchFileException("source " + digest);
        }
        return holdNow(digest);
    }

    private Hold holdNow(String digest) {
        holds.merge(digest, 1, Integer::sum);
        return new Hold(digest);
    }

    /**
     * Removes the archive unless it is held or {@code used} says a build still uses it, asked under
     * this store's lock, so that no upload or retry can take it meanwhile. Returns the bytes freed.
     */
    public synchronized long removeIfUnused(String digest, Predicate<String> used) throws IOException {
        Path file = path(digest);
        if (holds.containsKey(digest) || !Files.exists(file) || used.test(digest)) {
            return 0;
        }
        long size = Files.size(file);
        return Files.deleteIfExists(file) ? size : 0;
    }

    /** Stored archives last written before {@code millis} (a crash may have left them with no build). */
    public List<String> storedBefore(long millis) throws IOException {
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".tgz"))
                    .filter(p -> modified(p) < millis)
                    .map(p -> "sha256:" + p.getFileName().toString().replace(".tgz", ""))
                    .filter(SourceDigest::isValid).toList();
        }
    }

    /** Files removed and the bytes they held. */
    public record Freed(int files, long bytes) {}

    /** Removes the {@code upload*.part} files no upload is writing (a crash or a kill left them). */
    public Freed removeAbandonedUploads() throws IOException {
        long freed = 0;
        int files = 0;
        List<Path> parts;
        try (Stream<Path> s = Files.list(root)) {
            parts = s.filter(p -> p.getFileName().toString().startsWith(PART_PREFIX)
                    && p.getFileName().toString().endsWith(PART_SUFFIX)).toList();
        }
        for (Path p : parts) {
            if (!writing.contains(p)) {
                try {
                    long size = Files.size(p);
                    if (Files.deleteIfExists(p)) {
                        freed += size;
                        files++;
                    }
                } catch (NoSuchFileException e) {
                    // gone meanwhile
                }
            }
        }
        return new Freed(files, freed);
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return Long.MAX_VALUE;   // gone: nothing to remove
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
