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
    private final AttachStream output;
    private final Path workspace;
    private final AtomicBoolean killed = new AtomicBoolean();
    private volatile WaitContainerResultCallback waiting;

    ContainerExecution(ContainerExecutor executor, DockerClient docker, String id, AttachStream output, Path workspace) {
        this.executor = executor;
        this.docker = docker;
        this.id = id;
        this.output = output;
        this.workspace = workspace;
    }

    @Override
    public InputStream output() {
        return output;
    }

    @Override
    public int waitFor() {
        try {
            WaitContainerResultCallback w = docker.waitContainerCmd(id).exec(new WaitContainerResultCallback());
            waiting = w;
            return w.awaitStatusCode();
        } catch (RuntimeException e) {
            Throwable streamError = output.error();
            throw new Executor.LostStepException("lost the Docker engine at " + executor.host() + " during the step: "
                    + ContainerExecutor.message(streamError != null ? streamError : e), e);
        } finally {
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
            output.close();
            WaitContainerResultCallback w = waiting;
            if (w != null) {
                try {
                    w.close();
                } catch (java.io.IOException ignored) {
                    // closed already
                }
            }
        }
    }
}
