package dev.kiln.spec.plan;

import dev.kiln.spec.config.BuildSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * What an agent must offer to take a build: the labels its config asks for, and {@code docker}
 * when a step runs in an image or the build lists {@code images:} to push (pushed with the engine). The scheduler matches labels only; this is where images become one.
 */
public final class AgentLabels {
    private AgentLabels() {}

    public static List<String> of(BuildSpec spec, BuildPlan plan) {
        List<String> labels = new ArrayList<>(spec.labels());
        if (needsDocker(plan) && !labels.contains(StepPlan.DOCKER_LABEL)) {
            labels.add(StepPlan.DOCKER_LABEL);
        }
        return List.copyOf(labels);
    }

    /**
     * True when a step of {@code plan} runs in an image (built-in builders included) or it has images to push;
     * a step the agent runs itself ({@code kiln/production-artifacts}) needs no engine.
     */
    public static boolean needsDocker(BuildPlan plan) {
        return plan.steps().stream().anyMatch(s -> !s.isLocal() && !s.isNative()) || (plan.images() != null && !plan.images().isEmpty());
    }
}
