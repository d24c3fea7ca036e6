package dev.kiln.spec.plan;

import java.util.List;

/**
 * The executor-neutral plan an agent receives for a whole build. Never the YAML: agents do not
 * parse configs. {@code version} lets an older agent refuse a plan it cannot run.
 */
public record BuildPlan(int version, String buildId, long timeoutMillis, List<StepPlan> steps, List<String> images) {
    public static final int VERSION = 1;
}
