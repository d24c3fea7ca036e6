package dev.kiln.agent.docker.builder;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import dev.kiln.agent.docker.DockerEngine;
import dev.kiln.agent.run.Executor;
import dev.kiln.spec.plan.StepPlan;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/** Runs docker builder steps directly through the executor, and reads what they built. */
final class Steps {
    record Ran(int exit, String log) {}

    private Steps() {}

    static StepPlan docker(String dir, List<String> env, String... args) {
        return new StepPlan(0, "docker", "gcr.io/cloud-builders/docker", null, List.of(args), null, env, dir, List.of(), 0,
                false, List.of(), List.of());
    }

    static Ran run(Executor executor, StepPlan step, Path workspace, Path scratch) throws Exception {
        Executor.Execution ex = executor.start(step, workspace, scratch);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (InputStream out = ex.output()) {
            out.transferTo(log);
        }
        return new Ran(ex.waitFor(), log.toString(StandardCharsets.UTF_8));
    }

    /** The content of {@code file} in {@code image}, read by running {@code cat} in a container of it. */
    static String cat(DockerEngine engine, String image, String file) throws Exception {
        var client = engine.client();
        String id = client.createContainerCmd(image).withCmd("cat", file).exec().getId();
        try {
            client.startContainerCmd(id).exec();
            client.waitContainerCmd(id).start().awaitStatusCode();
            StringBuilder out = new StringBuilder();
            client.logContainerCmd(id).withStdOut(true).withStdErr(true).exec(new ResultCallback.Adapter<Frame>() {
                @Override
                public void onNext(Frame f) {
                    out.append(new String(f.getPayload(), StandardCharsets.UTF_8));
                }
            }).awaitCompletion();
            return out.toString().strip();
        } finally {
            client.removeContainerCmd(id).withForce(true).exec();
        }
    }
}
