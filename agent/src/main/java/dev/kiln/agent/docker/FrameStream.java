package dev.kiln.agent.docker;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A container's attached stdout and stderr as one stream, in the order the engine sent them. The
 * queue is bounded: while the step's log cannot be sent, the engine's reader waits, the container
 * blocks on its full pipe, and nothing is lost. An engine that goes away ends the stream (the step
 * then reports why); it does not fail the log reader.
 */
final class FrameStream extends InputStream implements ResultCallback<Frame> {
    private static final byte[] END = new byte[0];

    private final BlockingQueue<byte[]> frames = new ArrayBlockingQueue<>(512);
    private final CountDownLatch started = new CountDownLatch(1);
    private volatile Closeable connection;
    private volatile Throwable error;
    private volatile boolean closed;
    private byte[] current = new byte[0];
    private int pos;
    private boolean ended;

    /** Waits until the engine has answered the attach, so output written right after start is caught. */
    boolean awaitAttached(long millis) throws InterruptedException {
        return started.await(millis, TimeUnit.MILLISECONDS) && error == null;
    }

    /** Why the stream ended early, or null. */
    Throwable error() {
        return error;
    }

    @Override
    public void onStart(Closeable closeable) {
        connection = closeable;
        started.countDown();
    }

    @Override
    public void onNext(Frame frame) {
        byte[] payload = frame.getPayload();
        if (payload == null || payload.length == 0) {
            return;
        }
        try {
            while (!closed && !frames.offer(payload, 100, TimeUnit.MILLISECONDS)) {
                // the log reader is behind: hold the engine back rather than drop output
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void onError(Throwable throwable) {
        error = throwable;
        started.countDown();
        end();
    }

    @Override
    public void onComplete() {
        started.countDown();
        end();
    }

    private void end() {
        try {
            while (!closed && !frames.offer(END, 100, TimeUnit.MILLISECONDS)) {
                // wait for room: the end must come after every frame
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
                byte[] next = frames.take();
                if (next == END) {
                    ended = true;
                    return -1;
                }
                current = next;
                pos = 0;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while reading the container's output", e);
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
        byte[] next = frames.peek();
        if (next == null || next == END) {
            return 0;
        }
        // Move to it now: read() would otherwise block on take() although data is there.
        current = frames.poll();
        pos = 0;
        return current.length;
    }

    /** Drops the attach connection: the engine's side ends, and so does this stream. */
    @Override
    public void close() {
        closed = true;
        Closeable c = connection;
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
        frames.clear();
        frames.offer(END);
    }
}
