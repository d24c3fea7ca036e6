package dev.kiln.agent.run;

import dev.kiln.spec.plan.StepPlan;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The one place that picks who runs a step: a step with no image ({@code name} absent or
 * {@code local}) runs as a process; an image with a built-in builder (e.g.
 * {@code gcr.io/cloud-builders/docker}) runs on that builder; any other image in a container.
 * Build-wide calls ({@code prepare}, {@code release}) go to every executor. Steps the agent runs itself
 * ({@code kiln/production-artifacts}) never get here: {@link NativeSteps} takes them first, per build.
 */
public final class StepRouter implements Executor {
    private final Executor processes;
    private final Executor containers;
    private final Map<String, Executor> builders;

    /**
     * {@code builders}: image name (without tag) to the executor that stands in for it; an image
     * named with {@code :latest} or no tag maps to the same builder.
     */
    public StepRouter(Executor processes, Executor containers, Map<String, Executor> builders) {
        this.processes = processes;
        this.containers = containers;
        this.builders = Map.copyOf(builders);
    }

    /** Who runs {@code step}. */
    Executor pick(StepPlan step) {
        if (step.isLocal()) {
            return processes;
        }
        Executor builder = builders.get(step.image());
        if (builder == null && step.image().endsWith(":latest")) {
            builder = builders.get(step.image().substring(0, step.image().length() - ":latest".length()));
        }
        return builder != null ? builder : containers;
    }

    @Override
    public Execution start(StepPlan step, Path workspace, Path scratch) throws IOException {
        return pick(step).start(step, workspace, scratch);
    }

    /**
     * Only a container step after container steps: they cannot change the engine's images, whereas a
     * process or a builder step before it may build or tag the very image it names.
     */
    @Override
    public void prepareAhead(StepPlan step, List<StepPlan> running, Path workspace, Path scratch) {
        if (pick(step) == containers && running.stream().allMatch(r -> pick(r) == containers)) {
            containers.prepareAhead(step, running, workspace, scratch);
        }
    }

    @Override
    public void prepare(String buildId, Path workspace, Path scratch) throws IOException {
        prepare(buildId, BuildSteps.none(), workspace, scratch);
    }

    /** Each executor is told the build's steps, and which of them are its own (none the agent runs itself). */
    @Override
    public void prepare(String buildId, BuildSteps steps, Path workspace, Path scratch) throws IOException {
        for (Executor e : all()) {
            Set<Integer> mine = steps.all().stream()
                    .filter(s -> steps.mine().contains(s.index()) && !s.isNative() && pick(s) == e)
                    .map(StepPlan::index).collect(Collectors.toSet());
            e.prepare(buildId, new BuildSteps(steps.all(), mine), workspace, scratch);
        }
    }

    @Override
    public void release(String buildId, Path workspace) {
        for (Executor e : all()) {
            e.release(buildId, workspace);
        }
    }

    private List<Executor> all() {
        Map<Executor, Boolean> seen = new LinkedHashMap<>();
        seen.put(processes, true);
        seen.put(containers, true);
        builders.values().forEach(b -> seen.put(b, true));
        return new ArrayList<>(seen.keySet());
    }

    /** Stands in for the container executor on an agent that has none: every step in an image fails, saying why. */
    public static Executor refusing(String why) {
        return (step, workspace, scratch) -> {
            throw new IOException("step '" + step.id() + "' runs in image '" + step.image() + "', and " + why);
        };
    }
}
