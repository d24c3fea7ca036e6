package dev.kiln.agent.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.WaitContainerResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import dev.kiln.agent.run.Executor;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A started step container. {@link #waitFor} removes it when it ends and gives the workspace back;
 * {@link #kill} stops it (its init passes the signal on, so it ends at once). When the engine stops
 * answering, the output ends and {@link #waitFor} says so instead of waiting forever.
 */
final class ContainerExecution implements Executor.Execution {
    private static final int STOP_SECONDS = 1;

    private final ContainerExecutor executor;
    private final DockerClient docker;
    private final String id;
    private final InputStream output;
    private final AttachStream attached;
    private final LogPipe.Reader piped;
    private final Path workspace;
    private final AtomicBoolean killed = new AtomicBoolean();
    private final WaitContainerResultCallback waiting;

    /**
     * {@code attached}: the output as the engine's attach stream carries it; else {@code piped}, the
     * container's named pipe, which the engine knows nothing of: so the wait for the container's end
     * starts now, and an engine that stops answering ends that output too.
     */
    ContainerExecution(ContainerExecutor executor, DockerClient docker, String id, AttachStream attached,
                       LogPipe.Reader piped, Path workspace) {
        this.executor = executor;
        this.docker = docker;
        this.id = id;
        this.attached = attached;
        this.piped = piped;
        this.output = attached != null ? attached : piped;
        this.workspace = workspace;
        this.waiting = docker.waitContainerCmd(id).exec(new WaitContainerResultCallback() {
            @Override
            public void onNext(com.github.dockerjava.api.model.WaitResponse ended) {
                super.onNext(ended);
                if (piped != null) {
                    piped.release();   // it ended without opening the pipe (stopped at once): nothing more comes
                }
            }

            @Override
            public void onError(Throwable e) {
                if (piped != null) {
                    piped.close();
                }
                super.onError(e);
            }
        });
    }

    @Override
    public InputStream output() {
        return output;
    }

    @Override
    public int waitFor() {
        try {
            return waiting.awaitStatusCode();
        } catch (RuntimeException e) {
            Throwable streamError = attached == null ? null : attached.error();
            throw new Executor.LostStepException("lost the Docker engine at " + executor.host() + " during the step: "
                    + EngineErrors.message(streamError != null ? streamError : e), e);
        } finally {
            if (piped != null) {
                piped.release();
            }
            ContainerExecutor.removeLater(docker, id);
            executor.giveBack(workspace);
        }
    }

    @Override
    public void kill() {
        if (!killed.compareAndSet(false, true)) {
            return;
        }
        try {
            docker.stopContainerCmd(id).withTimeout(STOP_SECONDS).exec();
        } catch (NotModifiedException | NotFoundException ended) {
            // it had ended already
        } catch (RuntimeException engineGone) {
            // Nothing will tell us the container ended: stop waiting for it.
            try {
                output.close();
                waiting.close();
            } catch (java.io.IOException ignored) {
                // closed already
            }
        }
    }
}
