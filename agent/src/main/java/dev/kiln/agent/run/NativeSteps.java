package dev.kiln.agent.run;

import dev.kiln.agent.production.ProductionFetch;
import dev.kiln.spec.plan.StepPlan;
import dev.kiln.spec.protocol.AgentApi;
import dev.kiln.spec.protocol.Lease;
import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Runs the steps the agent does itself ({@link StepPlan#isNative()}: {@code kiln/production-artifacts})
 * for one leased build, and hands every other step to the executor it wraps. Such a step talks to the
 * server under the build's lease, which no executor shared by all builds holds; so it is chosen here,
 * per build, before the {@link StepRouter} picks among processes, containers and builders. Its log and
 * its end look like any step's: lines on its output, an exit code, a kill that stops it.
 */
final class NativeSteps implements Executor {
    private final Executor others;
    private final AgentApi api;
    private final Lease lease;

    NativeSteps(Executor others, AgentApi api, Lease lease) {
        this.others = others;
        this.api = api;
        this.lease = lease;
    }

    @Override
    public Execution start(StepPlan step, Path workspace, Path scratch) throws IOException {
        if (!step.isNative()) {
            return others.start(step, workspace, scratch);
        }
        ProductionFetch fetch = new ProductionFetch(api, lease.buildId(), lease.leaseId());
        PipedInputStream output = new PipedInputStream(64 * 1024);
        PrintStream log = new PrintStream(new PipedOutputStream(output), true, StandardCharsets.UTF_8);
        int[] exit = {1};
        Thread t = new Thread(() -> {
            try (log) {
                exit[0] = fetch.run(workspace, step.dir(), log);
            }
        }, "kiln-native-step");
        t.setDaemon(true);
        t.start();
        return new Execution() {
            @Override
            public InputStream output() {
                return output;
            }

            @Override
            public int waitFor() throws InterruptedException {
                t.join();
                return exit[0];
            }

            @Override
            public void kill() {
                fetch.stop();
            }
        };
    }

    @Override
    public void prepare(String buildId, Path workspace, Path scratch) throws IOException {
        others.prepare(buildId, workspace, scratch);
    }

    @Override
    public void release(String buildId, Path workspace) {
        others.release(buildId, workspace);
    }
}
