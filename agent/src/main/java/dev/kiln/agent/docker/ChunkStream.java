package dev.kiln.agent.docker;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Output that docker-java's callback threads write in chunks, read as one stream by a step's log
 * pump. Bounded: while the reader is behind, writers wait (the engine, and the container behind
 * its pipe, are held back) and nothing is dropped; unlike a {@link java.io.PipedInputStream} it
 * does not care which thread writes. {@link #close()} drops what is queued and ends the stream.
 */
public class ChunkStream extends InputStream {
    private static final byte[] END = new byte[0];

    private final BlockingQueue<byte[]> chunks;
    private volatile boolean closed;
    private volatile boolean endQueued;
    private byte[] current = new byte[0];
    private int pos;
    private boolean ended;

    public ChunkStream(int capacity) {
        this.chunks = new ArrayBlockingQueue<>(capacity);
    }

    public void write(String text) {
        write(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Queues {@code data}, waiting for room; ignored after the end or a close. */
    public void write(byte[] data) {
        if (data == null || data.length == 0 || endQueued) {
            return;
        }
        put(data);
    }

    /** No more output: the reader sees the end after everything written before. Idempotent. */
    public void end() {
        if (!endQueued) {
            endQueued = true;
            put(END);
        }
    }

    private void put(byte[] chunk) {
        try {
            while (!closed && !chunks.offer(chunk, 100, TimeUnit.MILLISECONDS)) {
                // the reader is behind: hold the writer back rather than drop output
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (pos == current.length) {
            if (ended) {
                return -1;
            }
            try {
                byte[] next = chunks.take();
                if (next == END) {
                    ended = true;
                    return -1;
                }
                current = next;
                pos = 0;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while reading the step's output", e);
            }
        }
        int n = Math.min(len, current.length - pos);
        System.arraycopy(current, pos, b, off, n);
        pos += n;
        return n;
    }

    @Override
    public int available() {
        if (pos < current.length) {
            return current.length - pos;
        }
        byte[] next = chunks.peek();
        if (next == null || next == END) {
            return 0;
        }
        // Move to it now: read() would otherwise block on take() although data is there.
        current = chunks.poll();
        pos = 0;
        return current.length;
    }

    /** Drops what is queued and ends the stream; writers waiting for room return. */
    @Override
    public void close() {
        closed = true;
        endQueued = true;
        chunks.clear();
        chunks.offer(END);
    }
}
