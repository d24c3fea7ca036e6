package dev.kiln.spec.plan;

import java.util.List;
import java.util.Map;

/**
 * The executor-neutral plan an agent receives for a whole build. Never the YAML: agents do not
 * parse configs. {@code version} lets an older agent refuse a plan it cannot run.
 * {@code artifacts}: globs (relative to the workspace) of {@code artifacts.objects.paths}, kept once the build passed.
 * {@code secrets}: the Kiln secret each environment variable a step's {@code secretEnv} may list stands for
 * (names only: plans are stored; values travel in the lease alone).
 */
public record BuildPlan(int version, String buildId, long timeoutMillis, List<StepPlan> steps, List<String> images,
                        List<String> artifacts, Map<String, String> secrets) {
    public static final int VERSION = 1;

    public BuildPlan {
        // A plan stored by an earlier version has no artifacts and names no secrets.
        artifacts = artifacts == null ? List.of() : List.copyOf(artifacts);
        secrets = secrets == null ? Map.of() : Map.copyOf(secrets);
    }

    /** A build that keeps no artifacts of its own (its steps may) and names no secrets. */
    public BuildPlan(int version, String buildId, long timeoutMillis, List<StepPlan> steps, List<String> images) {
        this(version, buildId, timeoutMillis, steps, images, List.of(), Map.of());
    }
}
