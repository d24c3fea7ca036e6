package dev.kiln.agent.docker;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import java.io.Closeable;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A container's attached stdout and stderr as one stream, in the order the engine sent them
 * (a bounded {@link ChunkStream}: while the step's log cannot be sent, the engine's reader waits,
 * the container blocks on its full pipe, and nothing is lost). An engine that goes away ends the
 * stream (the step then reports why); it does not fail the log reader.
 */
final class FrameStream extends ChunkStream implements ResultCallback<Frame> {
    private final CountDownLatch started = new CountDownLatch(1);
    private volatile Closeable connection;
    private volatile Throwable error;

    FrameStream() {
        super(512);
    }

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
        write(frame.getPayload());
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

    /** Drops the attach connection: the engine's side ends, and so does this stream. */
    @Override
    public void close() {
        Closeable c = connection;
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
        super.close();
    }
}
