package dev.kiln.agent.docker.builder;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A step's output written by docker-java's callback threads and read as one stream by the step's
 * log pump. Bounded, so a reader that falls behind slows the engine's stream instead of filling
 * memory; unlike a {@link java.io.PipedInputStream} it does not care which thread writes.
 */
final class OutputQueue extends InputStream {
    private static final byte[] END = new byte[0];

    private final BlockingQueue<byte[]> chunks = new LinkedBlockingQueue<>(1024);
    private byte[] current = new byte[0];
    private int pos;
    private volatile boolean ended;

    void write(String text) {
        write(text.getBytes(StandardCharsets.UTF_8));
    }

    void write(byte[] data) {
        if (data.length == 0 || ended) {
            return;
        }
        try {
            chunks.put(data);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** No more output: the reader sees the end after what was written before. Idempotent. */
    void end() {
        if (!ended) {
            ended = true;
            // Never blocks for long: the reader drains the queue until it sees this.
            try {
                chunks.put(END);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public int read() {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (len == 0) {
            return 0;
        }
        while (pos == current.length) {
            if (current == END) {
                return -1;
            }
            try {
                current = chunks.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
            pos = 0;
            if (current == END) {
                return -1;
            }
        }
        int n = Math.min(len, current.length - pos);
        System.arraycopy(current, pos, b, off, n);
        pos += n;
        return n;
    }

    @Override
    public int available() {
        return current == END ? 0 : current.length - pos;
    }
}
