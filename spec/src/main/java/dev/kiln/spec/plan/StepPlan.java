package dev.kiln.spec.plan;

import dev.kiln.spec.config.NativeSteps;
import dev.kiln.spec.config.Volume;
import java.util.List;

/**
 * What an agent runs for one step, with substitutions applied. {@code image} null means a process
 * on the agent. {@code command} is the argv for a process step ({@code entrypoint} + {@code args}),
 * or empty when {@code script} is set. {@code env} holds {@code KEY=VALUE} entries in order.
 * {@code waitFor} holds indexes of steps that must finish first. Times are in milliseconds; 0 means none.
 * {@code volumes}: named volumes of the build mounted into the step's container (none for a process step).
 * {@code metrics}: the JSON file of metrics the step writes, and {@code artifacts}: globs of files it
 * leaves to keep, both relative to the workspace (the step's {@code dir} already applied); null / empty when none.
 * For a {@link #isNative() native} step, {@code image} names the built-in and {@code dir} is where it puts its files.
 */
public record StepPlan(
        int index,
        String id,
        String image,
        String entrypoint,
        List<String> args,
        String script,
        List<String> env,
        String dir,
        List<Integer> waitFor,
        long timeoutMillis,
        boolean allowFailure,
        List<Integer> allowExitCodes,
        List<String> secretEnv,
        List<Volume> volumes,
        String metrics,
        List<String> artifacts) {

    /** Where an agent that can run steps in images says so, and a build with such steps asks for it. */
    public static final String DOCKER_LABEL = "docker";

    public StepPlan {
        // A plan stored by an earlier version has no volumes.
        volumes = volumes == null ? List.of() : List.copyOf(volumes);
        artifacts = artifacts == null ? List.of() : List.copyOf(artifacts);
    }

    /** A step that records no metrics and keeps no artifacts. */
    public StepPlan(int index, String id, String image, String entrypoint, List<String> args, String script,
                    List<String> env, String dir, List<Integer> waitFor, long timeoutMillis, boolean allowFailure,
                    List<Integer> allowExitCodes, List<String> secretEnv, List<Volume> volumes) {
        this(index, id, image, entrypoint, args, script, env, dir, waitFor, timeoutMillis, allowFailure, allowExitCodes,
                secretEnv, volumes, null, List.of());
    }

    /** {@code path} as written in a step with working directory {@code dir}, relative to the workspace. */
    public static String inWorkspace(String dir, String path) {
        String rel = dev.kiln.spec.config.WorkspacePaths.relative(path);
        if (path.startsWith(dev.kiln.spec.config.WorkspacePaths.ROOT + "/") || dir == null || dir.isEmpty() || dir.equals(".")) {
            return rel;
        }
        return dir.replaceAll("/+$", "") + "/" + rel;
    }

    /** A step without volumes. */
    public StepPlan(int index, String id, String image, String entrypoint, List<String> args, String script,
                    List<String> env, String dir, List<Integer> waitFor, long timeoutMillis, boolean allowFailure,
                    List<Integer> allowExitCodes, List<String> secretEnv) {
        this(index, id, image, entrypoint, args, script, env, dir, waitFor, timeoutMillis, allowFailure, allowExitCodes,
                secretEnv, List.of());
    }

    public boolean isLocal() {
        return image == null;
    }

    /** True for a built-in the agent runs itself (no container, no process of the build's): see {@link NativeSteps}. */
    public boolean isNative() {
        return NativeSteps.is(image);
    }
}
