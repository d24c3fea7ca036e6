package dev.kiln.agent.docker.builder;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.BuildImageCmd;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.BuildResponseItem;
import dev.kiln.agent.docker.ChunkStream;
import dev.kiln.agent.docker.DockerEngine;
import dev.kiln.agent.docker.RegistryLogins;
import dev.kiln.agent.docker.push.EngineMessages;
import dev.kiln.agent.docker.push.ImagePush;
import dev.kiln.agent.run.Executor;
import dev.kiln.spec.plan.ImageRef;
import dev.kiln.spec.plan.StepPlan;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A docker builder step run natively through docker-java on a thread of its own: its output is
 * the engine's stream (build lines, errors included), and it exits 0, or 1 with the engine's
 * message as its last line, as the docker CLI would. A kill closes the engine's stream, which
 * makes the engine stop the build (and remove its intermediate container).
 */
final class NativeRun implements Executor.Execution {
    /** The exit code of a step stopped by a kill, as of a process killed by SIGKILL. */
    static final int KILLED = 137;

    private final ChunkStream out = new ChunkStream(1024);
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private final AtomicReference<Closeable> stream = new AtomicReference<>();
    private volatile boolean killed;

    private interface Body {
        void run(NativeRun r) throws Exception;
    }

    private NativeRun(String name, Body body) {
        Thread t = new Thread(() -> {
            int code;
            try {
                body.run(this);
                code = killed ? KILLED : 0;
            } catch (Failed e) {
                out.write(e.getMessage() + "\n");
                code = killed ? KILLED : 1;
            } catch (DockerException e) {
                out.write("Error response from daemon: " + EngineMessages.of(e) + "\n");
                code = killed ? KILLED : 1;
            } catch (Exception e) {
                if (!killed) {
                    out.write("[kiln] docker builder: the Docker engine did not answer: " + e + "\n");
                }
                code = killed ? KILLED : 1;
            }
            out.end();
            exit.complete(code);
        }, "kiln-docker-" + name);
        t.setDaemon(true);
        t.start();
    }

    /** A failure whose message is the step's last log line. */
    private static final class Failed extends Exception {
        Failed(String message) {
            super(message);
        }
    }

    static NativeRun build(DockerEngine engine, StepPlan step, DockerCommand cmd, Path context, Path dockerfile) {
        return new NativeRun(step.id(), r -> {
            r.out.write("[kiln] docker builder: docker build runs natively (docker-java, the engine's legacy builder)\n");
            if (!Files.isDirectory(context)) {
                throw new Failed("unable to prepare context: path \"" + cmd.operands().get(0) + "\" not found");
            }
            if (!Files.isRegularFile(dockerfile)) {
                throw new Failed("unable to prepare context: unable to evaluate symlinks in Dockerfile path: "
                        + "no such file: " + context.relativize(dockerfile));
            }
            InputStream tar = BuildContext.of(context, dockerfile).stream();
            BuildImageCmd b = engine.client().buildImageCmd(tar)
                    .withDockerfilePath(context.relativize(dockerfile).toString())
                    .withTags(cmd.tags())
                    .withRemove(true)
                    // A failed RUN's container too: the engine keeps it otherwise, one more per failed build.
                    .withForcerm(true)
                    .withPull(false);
            cmd.buildArgs().forEach((k, v) -> {
                String value = v != null ? v : fromEnv(step, k);
                if (value != null) {
                    b.withBuildArg(k, value);
                }
            });
            if (!cmd.labels().isEmpty()) {
                java.util.Map<String, String> labels = new java.util.LinkedHashMap<>();
                cmd.labels().forEach((k, v) -> labels.put(k, v == null ? "" : v));
                b.withLabels(labels);
            }
            if (cmd.target() != null) {
                b.withTarget(cmd.target());
            }
            if (cmd.network() != null) {
                b.withNetworkMode(cmd.network());
            }
            if (cmd.noCache()) {
                b.withNoCache(true);
            }
            AtomicReference<String> error = new AtomicReference<>();
            ResultCallback.Adapter<BuildResponseItem> callback = new ResultCallback.Adapter<>() {
                @Override
                public void onNext(BuildResponseItem item) {
                    if (item.getStream() != null) {
                        r.out.write(item.getStream());
                    }
                    if (item.isErrorIndicated()) {
                        String m = item.getErrorDetail() != null && item.getErrorDetail().getMessage() != null
                                ? item.getErrorDetail().getMessage() : item.getError();
                        error.compareAndSet(null, m);
                    }
                }
            };
            r.follow(callback);
            if (r.killed) {
                return;
            }
            try (tar) {
                b.exec(callback).awaitCompletion();
            }
            if (error.get() != null && !r.killed) {
                throw new Failed(error.get().strip());
            }
        });
    }

    static NativeRun tag(DockerEngine engine, DockerCommand cmd) {
        return new NativeRun("tag", r -> {
            r.out.write("[kiln] docker builder: docker tag runs natively (docker-java)\n");
            String source = cmd.operands().get(0);
            ImageRef target = ImageRef.parse(cmd.operands().get(1));
            try {
                engine.client().tagImageCmd(source, target.repository(), target.tag()).exec();
            } catch (NotFoundException e) {
                throw new Failed("Error response from daemon: No such image: " + source);
            }
        });
    }

    static NativeRun push(DockerEngine engine, DockerCommand cmd, RegistryLogins logins) {
        return new NativeRun("push", r -> {
            String image = cmd.operands().get(0);
            r.out.write("[kiln] docker builder: docker push runs natively (docker-java)\n");
            ImagePush push = new ImagePush(engine);
            r.follow(push);
            try {
                String digest = push.push(image, logins, line -> r.out.write(line + "\n"));
                r.out.write(image + ": digest: " + digest + "\n");
            } catch (ImagePush.PushFailedException e) {
                throw new Failed(e.getMessage());
            }
        });
    }

    private static String fromEnv(StepPlan step, String key) {
        for (int i = step.env().size() - 1; i >= 0; i--) {
            String e = step.env().get(i);
            if (e.startsWith(key + "=")) {
                return e.substring(key.length() + 1);
            }
        }
        return null;
    }

    /** The engine stream a kill must close; closed at once if the kill came first. */
    private void follow(Closeable c) {
        stream.set(c);
        if (killed) {
            closeQuietly(c);
        }
    }

    @Override
    public InputStream output() {
        return out;
    }

    @Override
    public int waitFor() throws InterruptedException {
        try {
            return exit.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public void kill() {
        if (!killed) {
            killed = true;
            Closeable c = stream.get();
            if (c != null) {
                closeQuietly(c);
            }
        }
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException | RuntimeException ignored) {
            // stopping anyway
        }
    }
}
