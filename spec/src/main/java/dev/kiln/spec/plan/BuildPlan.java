package dev.kiln.spec.plan;

import java.util.List;

/**
 * The executor-neutral plan an agent receives for a whole build. Never the YAML: agents do not
 * parse configs. {@code version} lets an older agent refuse a plan it cannot run.
 * {@code artifacts}: globs (relative to the workspace) of {@code artifacts.objects.paths}, kept once the build passed.
 */
public record BuildPlan(int version, String buildId, long timeoutMillis, List<StepPlan> steps, List<String> images,
                        List<String> artifacts) {
    public static final int VERSION = 1;

    public BuildPlan {
        // A plan stored by an earlier version has no artifacts.
        artifacts = artifacts == null ? List.of() : List.copyOf(artifacts);
    }

    /** A build that keeps no artifacts of its own (its steps may). */
    public BuildPlan(int version, String buildId, long timeoutMillis, List<StepPlan> steps, List<String> images) {
        this(version, buildId, timeoutMillis, steps, images, List.of());
    }
}
