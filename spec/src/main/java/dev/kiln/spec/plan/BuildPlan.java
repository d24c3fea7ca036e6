package dev.kiln.spec.plan;

import java.util.List;
import java.util.Map;

/**
 * The executor-neutral plan an agent receives for a whole build. Never the YAML: agents do not
 * parse configs. {@code version} lets an older agent refuse a plan it cannot run. {@code secrets}: the
 * Kiln secret each environment variable a step's {@code secretEnv} may list stands for (names only:
 * plans are stored; values travel in the lease alone).
 */
public record BuildPlan(int version, String buildId, long timeoutMillis, List<StepPlan> steps, List<String> images,
                        Map<String, String> secrets) {
    public static final int VERSION = 1;

    public BuildPlan {
        // A plan stored by an earlier version names no secrets.
        secrets = secrets == null ? Map.of() : Map.copyOf(secrets);
    }

    /** A plan that names no secrets. */
    public BuildPlan(int version, String buildId, long timeoutMillis, List<StepPlan> steps, List<String> images) {
        this(version, buildId, timeoutMillis, steps, images, Map.of());
    }
}
