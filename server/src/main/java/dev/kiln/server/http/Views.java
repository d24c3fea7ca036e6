package dev.kiln.server.http;

import dev.kiln.server.logs.LogStore;
import dev.kiln.server.results.BuildMetrics;
import dev.kiln.server.store.Approval;
import dev.kiln.server.store.Build;
import dev.kiln.server.store.BuildImages;
import dev.kiln.server.store.BuildStore;
import dev.kiln.server.store.Provenance;
import dev.kiln.server.store.StepRun;
import dev.kiln.spec.api.ApprovalView;
import dev.kiln.spec.api.BuildResults;
import dev.kiln.spec.api.BuildView;
import dev.kiln.spec.api.StepView;
import java.time.Instant;
import java.util.List;
import java.util.function.IntFunction;

/** Turns stored rows into the API's wire records. */
final class Views {
    private final BuildStore store;
    private final LogStore logs;
    private final BuildImages images;
    private final BuildMetrics metrics;

    Views(BuildStore store, LogStore logs, BuildImages images, BuildMetrics metrics) {
        this.metrics = metrics;
        this.store = store;
        this.logs = logs;
        this.images = images;
    }

    BuildView build(Build b) {
        return build(b, store.steps(b.id()));
    }

    BuildView build(Build b, List<StepRun> steps) {
        List<StepView> views = steps.stream().map(s -> new StepView(s.index(), s.stepId(), s.status(), s.statusDetail(),
                s.exitCode(), time(s.startTime()), time(s.finishTime()), logs.size(b.id(), s.index()))).toList();
        Provenance git = b.provenance();
        BuildView view = new BuildView(b.id(), b.status(), b.statusDetail(), b.configPath(), b.substitutions(), b.tags(),
                b.retryOf(), time(b.createTime()), time(b.startTime()), time(b.finishTime()), views,
                "/builds/" + b.id(), b.labels(), b.agentId(), git.repo(), git.ref(), git.commitSha(), git.author(),
                git.message(), git.trigger(), git.cause().wire(), b.causeDetail(), approval(b.approval()),
                store.kept(b.id()), new BuildResults(images.of(b.id())));
        BuildMetrics.Recorded recorded = metrics.of(b.id(), stepIds(steps));
        return view.withMetrics(recorded.metrics(), recorded.warnings());
    }

    /** A step's id by its index, for naming the step that reported a metric. */
    static IntFunction<String> stepIds(List<StepRun> steps) {
        return i -> i < 0 ? "build" : i >= 0 && i < steps.size() && steps.get(i).index() == i ? steps.get(i).stepId()
                : steps.stream().filter(s -> s.index() == i).map(StepRun::stepId).findFirst().orElse("Step #" + i);
    }

    private static ApprovalView approval(Approval a) {
        return a == null ? null : new ApprovalView(a.decision().name(), a.approver(), time(a.time()), a.comment());
    }

    private static Instant time(Long millis) {
        return millis == null ? null : Instant.ofEpochMilli(millis);
    }
}
