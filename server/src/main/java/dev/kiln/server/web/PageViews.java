package dev.kiln.server.web;

import dev.kiln.server.artifacts.BuildArtifacts;
import dev.kiln.server.logs.LogStore;
import dev.kiln.server.results.BuildMetrics;
import dev.kiln.server.store.Approval;
import dev.kiln.server.store.Build;
import dev.kiln.server.store.BuildImages;
import dev.kiln.server.store.Provenance;
import dev.kiln.server.store.StepRun;
import dev.kiln.spec.archive.Sizes;
import dev.kiln.spec.metrics.Metric;
import dev.kiln.spec.protocol.Status;
import dev.kiln.webui.term.RenderedLine;
import dev.kiln.webui.term.TerminalRenderer;
import dev.kiln.webui.view.ApprovalView;
import dev.kiln.webui.view.BuildPage;
import dev.kiln.webui.view.BuildRow;
import dev.kiln.webui.view.Buttons;
import dev.kiln.webui.view.Durations;
import dev.kiln.webui.view.Failure;
import dev.kiln.webui.view.Stamp;
import dev.kiln.webui.view.StepSection;
import dev.kiln.webui.view.Timeline;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Objects;

/** Turns stored builds and steps into the dashboard's view records. */
final class PageViews {
    /** How much of a failed step's log the failure summary reads, and how many of its lines it shows. */
    private static final int TAIL_BYTES = 64 << 10;
    private static final int TAIL_LINES = 20;
    private static final DateTimeFormatter SHORT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    private final LogStore logs;
    private final Clock clock;
    private final BuildImages images;
    private final BuildMetrics metrics;

    private final BuildArtifacts artifacts;
    /** The promotions a build measured or released, as its page's banners. */
    private final java.util.function.Function<String, List<BuildPage.PromotionBanner>> promotions;

    PageViews(LogStore logs, Clock clock, BuildImages images, BuildMetrics metrics, BuildArtifacts artifacts,
              java.util.function.Function<String, List<BuildPage.PromotionBanner>> promotions) {
        this.promotions = promotions;
        this.artifacts = artifacts;
        this.metrics = metrics;
        this.logs = logs;
        this.clock = clock;
        this.images = images;
    }

    BuildRow row(Build b) {
        Provenance git = b.provenance();
        String ref = !git.branch().isEmpty() ? git.branch() : git.tag();
        String sha = git.commitSha() == null ? "" : git.commitSha().substring(0, Math.min(7, git.commitSha().length()));
        String message = git.message() == null ? "" : git.message().lines().findFirst().orElse("");
        return new BuildRow(b.id(), b.status().name(), text(git.repo()), ref, sha, message, git.cause().wire(),
                text(git.trigger()), iso(b.startTime()), shortTime(b.startTime()),
                Durations.between(b.startTime(), b.finishTime(), clock.millis()), !b.status().isFinal());
    }

    BuildPage page(Build b, List<StepRun> steps, Buttons buttons) {
        long now = clock.millis();
        List<StepSection> sections = steps.stream().map(s -> {
            String base = "/builds/" + b.id() + "/steps/" + s.index();
            boolean open = s.status() == Status.WORKING || bad(s.status());
            return new StepSection(s.index(), s.stepId(), s.status().name(), text(s.statusDetail()), s.exitCode(),
                    Durations.between(s.startTime(), s.finishTime(), now), open, logs.size(b.id(), s.index()),
                    base + "/live", "/api/builds/" + b.id() + "/steps/" + s.index() + "/log");
        }).toList();
        Timeline timeline = Timeline.of(steps.stream().map(s -> new Timeline.Span(s.index(), s.stepId(),
                dev.kiln.webui.view.Statuses.kind(s.status().name()), s.startTime(), s.finishTime())).toList(), now);
        Provenance git = b.provenance();
        return new BuildPage(row(b), text(b.statusDetail()), text(git.commitSha()), text(git.author()),
                text(b.agentId()), iso(b.createTime()), iso(b.finishTime()), text(b.retryOf()), b.substitutions(),
                b.labels(), sections, failure(b, steps), timeline, buttons, approval(b.approval()), "",
                images.of(b.id()).stream().map(i -> new BuildPage.PushedImage(i.name(), i.digest())).toList(),
                outputs(b, steps), promotions.apply(b.id()));
    }

    private BuildPage.Outputs outputs(Build b, List<StepRun> steps) {
        java.util.function.IntFunction<String> stepId = i -> i < 0 ? "build" : steps.stream().filter(s -> s.index() == i)
                .map(StepRun::stepId).findFirst().orElse("Step #" + i);
        BuildMetrics.Recorded r = metrics.of(b.id(), stepId);
        return new BuildPage.Outputs(
                r.metrics().stream().map(m -> new BuildPage.MetricRow(m.name(), Metric.format(m.value()), m.step())).toList(),
                r.warnings().stream().map(w -> new BuildPage.WarningRow(w.step(), w.message())).toList(),
                artifacts.views(b.id(), stepId).stream().map(a -> new BuildPage.ArtifactLink(a.path(), Sizes.human(a.size()),
                        a.sha256(), a.url())).toList());
    }

    private static ApprovalView approval(Approval a) {
        return a == null ? null : new ApprovalView(a.decision().name(), text(a.approver()), stamp(a.time()), text(a.comment()));
    }

    /** The first step that failed, with the last lines of its log; null unless the build failed. */
    private Failure failure(Build b, List<StepRun> steps) {
        if (!bad(b.status())) {
            return null;
        }
        StepRun s = steps.stream().filter(x -> bad(x.status())).findFirst().orElse(null);
        if (s == null) {
            return null;
        }
        long size = logs.size(b.id(), s.index());
        List<String> last;
        try {
            byte[] tail = logs.read(b.id(), s.index(), Math.max(0, size - TAIL_BYTES), TAIL_BYTES);
            List<RenderedLine> lines = TerminalRenderer.render(tail);
            last = lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size()).stream().map(RenderedLine::html).toList();
        } catch (IOException e) {
            last = List.of();
        }
        return new Failure(s.index(), s.stepId(), s.exitCode(), text(s.statusDetail()), last);
    }

    static boolean bad(Status s) {
        return s == Status.FAILURE || s == Status.TIMEOUT || s == Status.INTERNAL_ERROR;
    }

    static String iso(Long millis) {
        return millis == null ? "" : Instant.ofEpochMilli(millis).toString();
    }

    static Stamp stamp(Long millis) {
        return millis == null ? Stamp.NONE : new Stamp(iso(millis), shortTime(millis));
    }

    static String shortTime(Long millis) {
        return millis == null ? "" : SHORT.format(Instant.ofEpochMilli(millis));
    }

    static String text(String s) {
        return Objects.requireNonNullElse(s, "");
    }
}
