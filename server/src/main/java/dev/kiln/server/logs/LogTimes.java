package dev.kiln.server.logs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * When each part of a step's log was written: the sidecar {@code <step>.times} next to the log, a
 * list of (byte offset, epoch milliseconds) records, 16 bytes each, one per chunk the agent sent
 * but at most one per {@link #RESOLUTION_MS} (so a chatty step that sends a line at a time adds at
 * most 160 bytes a second, and a 200 MB log sent in 1 MiB chunks about 3 KiB). A byte's time is
 * that of the last record at or before it: exact to the chunk, within {@link #RESOLUTION_MS}.
 *
 * <p>Read incrementally: {@link #refresh()} reads only the records added since the last call, so a
 * live view can follow a growing log. Not thread-safe; one instance per reader.
 */
public final class LogTimes {
    /** Records closer together than this are not written: bounds the sidecar's size. */
    public static final long RESOLUTION_MS = 100;
    public static final int RECORD = 16;

    private final Path file;
    private long[] offsets = new long[16];
    private long[] times = new long[16];
    private int count;
    private long readTo;

    LogTimes(Path file) {
        this.file = file;
    }

    /** Reads the records written since the last call. */
    public LogTimes refresh() throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size() - ch.size() % RECORD;
            if (size <= readTo) {
                return this;
            }
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(size - readTo, 1 << 20));
            while (readTo < size) {
                buf.clear().limit((int) Math.min(buf.capacity(), size - readTo));
                while (buf.hasRemaining() && ch.read(buf, readTo + buf.position()) > 0) {
                    // reading
                }
                buf.flip();
                while (buf.remaining() >= RECORD) {
                    add(buf.getLong(), buf.getLong());
                }
                readTo += buf.limit();
            }
        } catch (NoSuchFileException e) {
            // no time recorded yet (or a log written before times were)
        }
        return this;
    }

    private void add(long offset, long time) {
        if (count == offsets.length) {
            offsets = Arrays.copyOf(offsets, count * 2);
            times = Arrays.copyOf(times, count * 2);
        }
        offsets[count] = offset;
        times[count] = time;
        count++;
    }

    /** When the byte at {@code offset} was written, or -1 if not known. */
    public long timeAt(long offset) {
        int i = indexAt(offset);
        return i < 0 ? -1 : times[i];
    }

    /** The first offset after {@code offset} where the time changes, or {@code Long.MAX_VALUE}. */
    public long nextChange(long offset) {
        int i = indexAt(offset) + 1;
        return i < count ? offsets[i] : Long.MAX_VALUE;
    }

    public int size() {
        return count;
    }

    /** Index of the last record at or before {@code offset}, or -1. */
    private int indexAt(long offset) {
        int i = Arrays.binarySearch(offsets, 0, count, offset);
        return i >= 0 ? i : -i - 2;
    }

    /** Appends a record for bytes written at {@code offset} unless the last one is recent enough. Caller holds the log's lock. */
    static void record(Path file, long offset, long time) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            long size = ch.size() - ch.size() % RECORD;   // a torn record from a crash is overwritten
            if (size >= RECORD) {
                ByteBuffer last = ByteBuffer.allocate(RECORD);
                while (last.hasRemaining() && ch.read(last, size - RECORD + last.position()) > 0) {
                    // reading
                }
                long lastTime = last.getLong(8);
                if (time - lastTime < RESOLUTION_MS && time >= lastTime) {
                    return;
                }
            }
            ByteBuffer rec = ByteBuffer.allocate(RECORD).putLong(offset).putLong(time).flip();
            while (rec.hasRemaining()) {
                ch.write(rec, size + rec.position());
            }
        }
    }
}
