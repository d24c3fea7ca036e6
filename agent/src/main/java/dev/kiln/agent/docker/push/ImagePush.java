package dev.kiln.agent.docker.push;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.PushImageCmd;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.model.PushResponseItem;
import dev.kiln.agent.docker.DockerEngine;
import dev.kiln.agent.docker.RegistryLogins;
import dev.kiln.spec.plan.ImageRef;
import java.io.Closeable;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Pushes one image through docker-java and reads the push stream for its outcome: the engine
 * answers a refused push (wrong credentials, a registry that is down) with an error item in a
 * 200 stream, not with an exception, so the stream is the only place the registry's message is.
 */
public final class ImagePush implements Closeable {
    private final DockerEngine engine;
    private final AtomicReference<Closeable> running = new AtomicReference<>();
    private volatile boolean closed;

    public ImagePush(DockerEngine engine) {
        this.engine = engine;
    }

    /** Thrown with the registry's or engine's own message. */
    public static final class PushFailedException extends IOException {
        public PushFailedException(String message) {
            super(message);
        }
    }

    /**
     * Pushes {@code image} (with its tag; {@code latest} if none) and returns the digest the
     * registry gave it. {@code progress} gets the stream's lines ("Pushed", "latest: digest: ...").
     */
    public String push(String image, RegistryLogins logins, Consumer<String> progress) throws IOException, InterruptedException {
        ImageRef ref = ImageRef.parse(image);
        PushImageCmd cmd = engine.client().pushImageCmd(ref.repository()).withTag(ref.tag());
        logins.authFor(image).ifPresent(cmd::withAuthConfig);
        AtomicReference<String> error = new AtomicReference<>();
        AtomicReference<String> digest = new AtomicReference<>();
        ResultCallback.Adapter<PushResponseItem> callback = new ResultCallback.Adapter<>() {
            @Override
            public void onNext(PushResponseItem item) {
                if (item.isErrorIndicated()) {
                    String m = item.getErrorDetail() != null && item.getErrorDetail().getMessage() != null
                            ? item.getErrorDetail().getMessage() : item.getError();
                    error.compareAndSet(null, m);
                    progress.accept("error: " + m);
                    return;
                }
                if (item.getAux() != null && item.getAux().getDigest() != null) {
                    digest.set(item.getAux().getDigest());
                }
                // Per-layer progress bars are noise in a log; the statuses say what happened.
                if (item.getStatus() != null && item.getProgressDetail() == null) {
                    progress.accept((item.getId() != null ? item.getId() + ": " : "") + item.getStatus());
                }
            }
        };
        if (closed) {
            throw new PushFailedException("push of " + image + " stopped");
        }
        running.set(callback);
        try {
            cmd.exec(callback).awaitCompletion();
        } catch (DockerException e) {
            throw new PushFailedException(image + ": " + EngineMessages.of(e));
        } catch (RuntimeException e) {
            // The engine itself went away mid-push (a closed socket): still the build's failure, with why.
            throw new PushFailedException(image + ": the Docker engine at " + engine.host() + " did not answer: " + e.getMessage());
        } finally {
            running.set(null);
        }
        if (closed) {
            throw new PushFailedException("push of " + image + " stopped");
        }
        if (error.get() != null) {
            String hint = logins.authFor(image).isPresent() ? "" : " (the server has no login for " + ref.registry()
                    + ": kiln registries login " + ref.registry() + " --username USER --password-stdin)";
            throw new PushFailedException(image + ": " + error.get() + hint);
        }
        if (digest.get() == null) {
            throw new PushFailedException(image + ": the engine reported no digest for the push");
        }
        return digest.get();
    }

    /** Stops a push under way (a cancelled build); idempotent. */
    @Override
    public void close() {
        closed = true;
        Closeable c = running.get();
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // stopping anyway
            }
        }
    }
}
