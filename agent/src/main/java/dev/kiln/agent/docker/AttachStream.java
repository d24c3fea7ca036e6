package dev.kiln.agent.docker;

import com.github.dockerjava.transport.DockerHttpClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A container's stdout and stderr, read straight off the engine's attach connection by the step's
 * log pump: the engine's frames ({@code [type, 0, 0, 0, size (4 bytes, big-endian)]} then the
 * payload) are taken apart in one buffer, and what a read returns is the payload of every frame
 * already received, stdout and stderr in the order the engine sent them.
 *
 * <p>Not docker-java's attach callback: that reads 1 KiB at a time on a thread of its own, hands
 * each piece over as an object, and passes its one reused buffer whenever a piece fills it, so
 * a consumer that queues pieces finds them overwritten (a container's log came out garbled). Here
 * there is no thread between the socket and the log, and while the log cannot be sent nothing is
 * read: the engine, and the container behind its pipe, wait, and nothing is lost.
 *
 * <p>An engine that goes away ends the stream (the step then reports why, see {@link #error()});
 * it does not fail the log reader.
 */
final class AttachStream extends InputStream {
    private static final int HEADER = 8;

    private final DockerHttpClient.Response response;
    private final InputStream body;
    private final byte[] buf = new byte[256 * 1024];
    private int pos;
    private int lim;
    /** Payload bytes of the current frame not yet returned. */
    private long left;
    private boolean ended;
    private volatile boolean closed;
    private volatile Throwable error;

    private AttachStream(DockerHttpClient.Response response) {
        this.response = response;
        this.body = response.getBody();
    }

    /**
     * Attaches to the created, not yet started container {@code id}: returns once the engine has
     * answered, so that output written right after the start is caught. Throws with the engine's
     * message when it refuses.
     */
    static AttachStream open(DockerHttpClient http, String id, long millis) throws IOException {
        // On a thread of its own, so that an engine that never answers cannot hold the step's start.
        Future<AttachStream> f = ATTACHER.submit(() -> open(http, id));
        try {
            return f.get(millis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new IOException("could not attach to the step's container within " + millis / 1000 + " s");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException("could not attach to the step's container: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while attaching to the step's container", e);
        }
    }

    private static final ExecutorService ATTACHER = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "kiln-container-attach");
        t.setDaemon(true);
        return t;
    });

    private static AttachStream open(DockerHttpClient http, String id) throws IOException {
        DockerHttpClient.Request request = DockerHttpClient.Request.builder()
                .method(DockerHttpClient.Request.Method.POST)
                .path("/containers/" + id + "/attach?stream=1&stdout=1&stderr=1")
                .build();
        DockerHttpClient.Response response = http.execute(request);
        int status = response.getStatusCode();
        if (status < 200 || status > 299) {
            try (response) {
                String why = new String(response.getBody().readNBytes(4096), StandardCharsets.UTF_8);
                throw new IOException("the engine answered " + status + ": " + EngineErrors.message(new IOException(why)));
            }
        }
        return new AttachStream(response);
    }

    /** Why the stream ended early, or null. */
    Throwable error() {
        return error;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    /** Blocks only until some payload is there; then returns all that is already received, up to {@code len}. */
    @Override
    public int read(byte[] b, int off, int len) {
        if (len == 0) {
            return 0;
        }
        int n = 0;
        while (n < len) {
            if (left == 0 && !nextFrame(n == 0)) {
                break;
            }
            if (pos == lim) {
                if (n > 0 || !fill()) {
                    break;
                }
                continue;
            }
            int k = (int) Math.min(Math.min(left, lim - pos), len - n);
            System.arraycopy(buf, pos, b, off + n, k);
            pos += k;
            left -= k;
            n += k;
        }
        return n == 0 ? -1 : n;
    }

    /** Payload bytes a read returns without waiting for the engine (at least). */
    @Override
    public int available() {
        return (int) Math.min(left, lim - pos);
    }

    /**
     * Reads the next frame's header; false at the end of the stream, or when it is not all received
     * yet and {@code mayWait} is false.
     */
    private boolean nextFrame(boolean mayWait) {
        while (left == 0) {
            while (lim - pos < HEADER) {
                if (!mayWait || !fill()) {
                    return false;
                }
            }
            int type = buf[pos];
            if (type < 0 || type > 2 || buf[pos + 1] != 0 || buf[pos + 2] != 0 || buf[pos + 3] != 0) {
                // Not multiplexed (a container with a TTY sends its output as it is): all of it is payload.
                left = Long.MAX_VALUE;
                return true;
            }
            left = ((buf[pos + 4] & 0xffL) << 24) | ((buf[pos + 5] & 0xff) << 16) | ((buf[pos + 6] & 0xff) << 8)
                    | (buf[pos + 7] & 0xff);
            pos += HEADER;
        }
        return true;
    }

    /** Reads what the engine has sent (waiting for at least a byte); false at the end. */
    private boolean fill() {
        if (ended) {
            return false;
        }
        if (pos == lim) {
            pos = 0;
            lim = 0;
        } else if (pos > 0 && buf.length - lim < HEADER) {
            System.arraycopy(buf, pos, buf, 0, lim - pos);
            lim -= pos;
            pos = 0;
        }
        try {
            int r = body.read(buf, lim, buf.length - lim);
            if (r < 0) {
                ended = true;
                return false;
            }
            lim += r;
            return true;
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                error = e;
            }
            ended = true;
            return false;
        }
    }

    /** Drops the attach connection: the engine's side ends, and so does this stream. */
    @Override
    public void close() {
        closed = true;
        try {
            response.close();
        } catch (RuntimeException alreadyGone) {
            // nothing left to close
        }
    }
}
