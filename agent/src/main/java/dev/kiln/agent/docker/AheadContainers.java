package dev.kiln.agent.docker;

import com.github.dockerjava.api.DockerClient;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The containers of one build's steps made before those steps start, while the steps they wait for
 * run: the engine's create call then costs a step nothing. A step takes its container only if it
 * was made for what the step asks now; every container made carries the build's labels, so one
 * that no step took (the build was cancelled or failed first) goes with the build's release, or
 * with the next agent's reaping after a crash.
 */
final class AheadContainers {
    /** A container made for {@code spec}. */
    record Made(ContainerSpec spec, String id) {}

    /** One thread for the agent: creates are short, and a build's own steps need the engine more. */
    private static final ExecutorService CREATOR = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "kiln-container-ahead");
        t.setDaemon(true);
        return t;
    });

    private final Map<Integer, Future<Made>> made = new ConcurrentHashMap<>();

    /** Makes step {@code index}'s container with {@code create}, on the creator's thread; once per step. */
    void create(int index, Callable<Made> create) {
        made.computeIfAbsent(index, i -> CREATOR.submit(create));
    }

    /**
     * The id of the container made for step {@code index} if it was made for {@code spec}, else null
     * (none was made, making it failed, or the step asks for something else now: that one is removed).
     */
    String take(int index, ContainerSpec spec, DockerClient docker) throws InterruptedException {
        Future<Made> f = made.remove(index);
        if (f == null) {
            return null;
        }
        Made m;
        try {
            m = f.get();
        } catch (ExecutionException failed) {
            return null;   // the step makes its own, and says why if that fails too
        }
        if (m.spec().equals(spec)) {
            return m.id();
        }
        ContainerExecutor.removeLater(docker, m.id());
        return null;
    }

    /** Waits for the creates under way, so that the build's release finds every container made for it. */
    void settle() {
        for (Future<Made> f : made.values()) {
            try {
                f.get(30, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException notMade) {
                // nothing made, or the engine hangs: the next agent start reaps it by its labels
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        made.clear();
    }
}
