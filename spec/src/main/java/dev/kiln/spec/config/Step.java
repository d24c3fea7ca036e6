package dev.kiln.spec.config;

import java.time.Duration;
import java.util.List;

/**
 * One step as written in the config. Optional fields are null or empty; {@code name} null means
 * a process on the agent. {@code volumes} are the step's own and the build's {@code options.volumes}.
 */
public record Step(
        int index,
        String id,
        String name,
        String entrypoint,
        List<String> args,
        String script,
        List<String> env,
        String dir,
        List<String> waitFor,
        Duration timeout,
        boolean allowFailure,
        List<Integer> allowExitCodes,
        List<String> secretEnv,
        SourceMark mark,
        List<Volume> volumes,
        String metrics,
        List<String> artifacts) {

    public Step {
        volumes = volumes == null ? List.of() : List.copyOf(volumes);
        artifacts = artifacts == null ? List.of() : List.copyOf(artifacts);
    }

    /** A step without Kiln's {@code metrics} and {@code artifacts}. */
    public Step(int index, String id, String name, String entrypoint, List<String> args, String script, List<String> env,
                String dir, List<String> waitFor, Duration timeout, boolean allowFailure, List<Integer> allowExitCodes,
                List<String> secretEnv, SourceMark mark, List<Volume> volumes) {
        this(index, id, name, entrypoint, args, script, env, dir, waitFor, timeout, allowFailure, allowExitCodes,
                secretEnv, mark, volumes, null, List.of());
    }

    /** A step without volumes. */
    public Step(int index, String id, String name, String entrypoint, List<String> args, String script, List<String> env,
                String dir, List<String> waitFor, Duration timeout, boolean allowFailure, List<Integer> allowExitCodes,
                List<String> secretEnv, SourceMark mark) {
        this(index, id, name, entrypoint, args, script, env, dir, waitFor, timeout, allowFailure, allowExitCodes,
                secretEnv, mark, List.of(), null, List.of());
    }

    /** The id people see: the explicit {@code id}, else Cloud Build's {@code Step #N}. */
    public String displayId() {
        return id != null ? id : "Step #" + index;
    }

    /** True when the step runs as a process on the agent rather than in a container. */
    public boolean isLocal() {
        return name == null || name.equals("local");
    }

    /** True when the agent runs the step itself, a built-in such as {@code kiln/production-artifacts}. */
    public boolean isNative() {
        return NativeSteps.is(name);
    }

    /** This step with {@code id} and {@code waitFor} as given: the planner checks the graph on substituted ids. */
    public Step withGraph(String id, List<String> waitFor) {
        return new Step(index, id, name, entrypoint, args, script, env, dir, waitFor, timeout, allowFailure,
                allowExitCodes, secretEnv, mark, volumes, metrics, artifacts);
    }

    /** This step with {@code volumes} mounted (its own and the build's {@code options.volumes}). */
    public Step withVolumes(List<Volume> volumes) {
        return new Step(index, id, name, entrypoint, args, script, env, dir, waitFor, timeout, allowFailure,
                allowExitCodes, secretEnv, mark, volumes, metrics, artifacts);
    }
}
