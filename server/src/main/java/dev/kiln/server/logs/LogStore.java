package dev.kiln.server.logs;

import dev.kiln.spec.protocol.AgentApi.LogGapException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Step logs as append-only files, {@code <data>/logs/<build>/<step>.log}. Appends carry the byte
 * offset they start at: bytes already stored are skipped and a gap is refused, so a resend never
 * doubles or loses a line. Reads go to the file, so memory does not grow with a log's size.
 */
public final class LogStore {
    private final Path root;
    /** Striped so that the lock table stays small however many steps the server has ever run. */
    private final Object[] locks = new Object[64];
    /** Bytes appended since the server started: for {@code kiln_log_written_bytes_total}. */
    private final java.util.concurrent.atomic.LongAdder appended = new java.util.concurrent.atomic.LongAdder();
    private final java.util.List<Stored> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Told of the bytes each append stored, under the log's lock: every byte of a log once, in the log's order. */
    @FunctionalInterface
    public interface Stored {
        void stored(String buildId, int step, long at, byte[] data, int off, int len);
    }

    public LogStore(Path root) throws IOException {
        this.root = Files.createDirectories(root);
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new Object();
        }
    }

    public Path file(String buildId, int step) {
        return root.resolve(buildId).resolve(step + ".log");
    }

    /** {@code l} is told of every append from now on (see {@link Stored}); it must not throw or take long. */
    public void onStored(Stored l) {
        listeners.add(l);
    }

    /** The sidecar of write times (see {@link LogTimes}). */
    Path timesFile(String buildId, int step) {
        return root.resolve(buildId).resolve(step + ".times");
    }

    /** Returns the log's size after the append; the bytes are taken as written now. */
    public long append(String buildId, int step, long offset, byte[] data, int off, int len) throws IOException {
        return append(buildId, step, offset, data, off, len, System.currentTimeMillis());
    }

    /** Returns the log's size after the append; {@code timeMillis}: when the agent read these bytes. */
    public long append(String buildId, int step, long offset, byte[] data, int off, int len, long timeMillis)
            throws IOException {
        return append(buildId, step, (Long) offset, data, off, len, timeMillis);
    }

    /** Appends at the log's end, whatever it is (the server's own writes: masked chunks); returns the size after. */
    public long appendAtEnd(String buildId, int step, byte[] data, int off, int len, long timeMillis) throws IOException {
        return append(buildId, step, (Long) null, data, off, len, timeMillis);
    }

    /** {@code at} null: at the end, under the same lock as every other append. */
    private long append(String buildId, int step, Long at, byte[] data, int off, int len, long timeMillis)
            throws IOException {
        Path file = file(buildId, step);
        Object lock = locks[Math.floorMod(buildId.hashCode() * 31 + step, locks.length)];
        synchronized (lock) {
            try (FileChannel ch = open(file)) {
                long size = ch.size();
                long offset = at == null ? size : at;
                if (offset > size) {
                    throw new LogGapException(size);
                }
                long skip = size - offset;
                if (skip >= len) {
                    return size;
                }
                // The time first: a reader that sees the new bytes then finds their time too.
                LogTimes.record(timesFile(buildId, step), size, timeMillis);
                ByteBuffer buf = ByteBuffer.wrap(data, off + (int) skip, len - (int) skip);
                ch.position(size);
                appended.add(buf.remaining());
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                for (Stored l : listeners) {
                    l.stored(buildId, step, size, data, off + (int) skip, len - (int) skip);
                }
                return ch.size();
            }
        }
    }

    /**
     * The log for writing, made with its directory if need be. The directory only when the file
     * cannot be opened: a step sends thousands of chunks, and making sure of it each time (a failed
     * mkdir, stats and an exception) cost more than the write of a small chunk.
     */
    private static FileChannel open(Path file) throws IOException {
        try {
            return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (NoSuchFileException e) {
            Files.createDirectories(file.getParent());
            return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        }
    }

    /** Appends text whatever the offset (server notices such as "agent lost"). */
    public long appendNotice(String buildId, int step, String text) throws IOException {
        byte[] b = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return append(buildId, step, size(buildId, step), b, 0, b.length);
    }

    /** Bytes appended to logs since the server started (a resent part that was already stored is not counted). */
    public double appended() {
        return appended.sum();
    }

    public long size(String buildId, int step) {
        try {
            return Files.size(file(buildId, step));
        } catch (IOException e) {
            return 0;
        }
    }

    /** Up to {@code max} bytes from {@code offset}; empty at the end. */
    public byte[] read(String buildId, int step, long offset, int max) throws IOException {
        try (FileChannel ch = FileChannel.open(file(buildId, step), StandardOpenOption.READ)) {
            long size = ch.size();
            if (offset >= size) {
                return new byte[0];
            }
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(max, size - offset));
            while (buf.hasRemaining()) {
                if (ch.read(buf, offset + buf.position()) < 0) {
                    break;
                }
            }
            return buf.position() == buf.capacity() ? buf.array() : java.util.Arrays.copyOf(buf.array(), buf.position());
        } catch (NoSuchFileException e) {
            return new byte[0];
        }
    }

    /** Removes a build's logs; returns the bytes freed. */
    public long delete(String buildId) throws IOException {
        Path dir = root.resolve(buildId);
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        long freed = 0;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                long size = Files.size(f);
                if (Files.deleteIfExists(f)) {
                    freed += size;
                }
            }
        }
        Files.deleteIfExists(dir);
        return freed;
    }

    /** The builds that have a log directory, each with when it was last written: clean-up finds orphans here. */
    public Map<String, Long> builds() throws IOException {
        Map<String, Long> out = new HashMap<>();
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path d : dirs.filter(Files::isDirectory).toList()) {
                try {
                    out.put(d.getFileName().toString(), Files.getLastModifiedTime(d).toMillis());
                } catch (NoSuchFileException e) {
                    // removed meanwhile
                }
            }
        }
        return out;
    }

    /** The write times of a step's log as they stand; {@link LogTimes#refresh()} reads later ones. */
    public LogTimes times(String buildId, int step) throws IOException {
        return new LogTimes(timesFile(buildId, step)).refresh();
    }

    /** Receives a log's bytes with their write time (-1: unknown); returns false to stop. */
    @FunctionalInterface
    public interface ChunkVisitor {
        boolean chunk(byte[] b, int off, int len, long offset, long timeMillis) throws IOException;
    }

    /**
     * Reads bytes {@code [from, to)} of a step's log in chunks of at most 1 MiB, each cut where the
     * write time changes, so that a renderer fed chunk by chunk gives each line its time. Streams the
     * file: memory does not grow with the log.
     */
    public void scan(String buildId, int step, LogTimes times, long from, long to, ChunkVisitor v) throws IOException {
        Path file = file(buildId, step);
        if (!Files.exists(file) || from >= to) {
            return;
        }
        byte[] buf = new byte[1 << 20];
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long at = from;
            long end = Math.min(to, ch.size());
            while (at < end) {
                int want = (int) Math.min(buf.length, Math.min(end, times.nextChange(at)) - at);
                ByteBuffer bb = ByteBuffer.wrap(buf, 0, want);
                while (bb.hasRemaining() && ch.read(bb, at + bb.position()) > 0) {
                    // reading
                }
                int n = bb.position();
                if (n == 0 || !v.chunk(buf, 0, n, at, times.timeAt(at))) {
                    return;
                }
                at += n;
            }
        }
    }

    public InputStream open(String buildId, int step, long offset) throws IOException {
        Path file = file(buildId, step);
        if (!Files.exists(file)) {
            return InputStream.nullInputStream();
        }
        InputStream in = Files.newInputStream(file);
        in.skipNBytes(Math.min(offset, Files.size(file)));
        return in;
    }
}
