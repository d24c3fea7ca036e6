package dev.kiln.agent.docker.push;

import com.github.dockerjava.api.exception.NotFoundException;
import dev.kiln.agent.docker.DockerEngine;
import dev.kiln.agent.docker.RegistryLogins;
import dev.kiln.spec.api.BuiltImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Pushes a build's {@code images:} once all its steps passed: first checks that every one exists
 * on the engine (so a name no step built fails the build with nothing pushed at all), then pushes
 * them in order and returns their digests.
 */
public final class ImagePublisher {
    private final Optional<DockerEngine> engine;

    /** {@code engine}: empty on an agent without Docker, where a build with {@code images:} fails saying so. */
    public ImagePublisher(Optional<DockerEngine> engine) {
        this.engine = engine;
    }

    /** A stoppable run of {@link #publish}. */
    public Run start() {
        return new Run();
    }

    public final class Run implements AutoCloseable {
        private volatile ImagePush push;
        private volatile boolean closed;

        public List<BuiltImage> publish(List<String> images, RegistryLogins logins, Consumer<String> progress)
                throws IOException, InterruptedException {
            if (images.isEmpty()) {
                return List.of();
            }
            DockerEngine docker = engine.orElseThrow(() -> new ImagePush.PushFailedException(
                    "this build lists images: to push, and this agent has no Docker engine to push them with"));
            List<String> missing = new ArrayList<>();
            for (String image : images) {
                try {
                    docker.client().inspectImageCmd(image).exec();
                } catch (NotFoundException e) {
                    missing.add(image);
                } catch (RuntimeException e) {
                    throw new ImagePush.PushFailedException("the Docker engine at " + docker.host()
                            + " did not answer: " + e.getMessage());
                }
            }
            if (!missing.isEmpty()) {
                throw new ImagePush.PushFailedException("images: " + String.join(", ", missing)
                        + (missing.size() == 1 ? " was" : " were") + " not built by any step (no such image on this"
                        + " agent's engine); nothing was pushed");
            }
            List<BuiltImage> pushed = new ArrayList<>();
            for (String image : images) {
                if (closed) {
                    throw new ImagePush.PushFailedException("pushing images stopped");
                }
                push = new ImagePush(docker);
                if (closed) {
                    push.close();
                }
                try {
                    progress.accept("Pushing " + image);
                    pushed.add(new BuiltImage(image, push.push(image, logins, progress)));
                } finally {
                    push = null;
                }
            }
            return pushed;
        }

        @Override
        public void close() {
            closed = true;
            ImagePush p = push;
            if (p != null) {
                p.close();
            }
        }
    }
}
