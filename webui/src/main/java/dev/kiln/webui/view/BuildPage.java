package dev.kiln.webui.view;

import java.util.List;
import java.util.Map;

/**
 * A build's page: its head row, where it came from, its substitutions, its steps and, when it
 * failed, why. {@code buttons}: which of its buttons the person looking may press (none: the page
 * offers sign-in instead). {@code approval}: the decision on a build that
 * waited for one, null when none was made; {@code error}: why the last button pressed was refused
 * (approving a build someone else decided on), empty when it was not. {@code images}: what the build
 * pushed, with digests. {@code outputs}: its metrics, warnings about them, and the files it kept.
 */
public record BuildPage(BuildRow build, String statusDetail, String commitSha, String author, String agent,
                        String created, String finished, String retryOf, Map<String, String> substitutions,
                        List<String> labels, List<StepSection> steps, Failure failure, Timeline timeline, Buttons buttons,
                        ApprovalView approval, String error, List<PushedImage> images,
                        Outputs outputs, List<PromotionBanner> promotions) {

    public BuildPage {
        outputs = outputs == null ? Outputs.NONE : outputs;
        promotions = promotions == null ? List.of() : promotions;
    }

    /** A promotion this build measured or released, as a line linking to it: "awaiting approval (1 needed)". */
    public record PromotionBanner(String href, String role, String to, String text, String kind) {}

    public BuildPage(BuildRow build, String statusDetail, String commitSha, String author, String agent,
                     String created, String finished, String retryOf, Map<String, String> substitutions,
                     List<String> labels, List<StepSection> steps, Failure failure, Timeline timeline, Buttons buttons,
                     ApprovalView approval, String error, List<PushedImage> images, Outputs outputs) {
        this(build, statusDetail, commitSha, author, agent, created, finished, retryOf, substitutions, labels, steps,
                failure, timeline, buttons, approval, error, images, outputs, List.of());
    }

    /** A metric as the page shows it: the value already formatted, and the id of the step that reported it. */
    public record MetricRow(String name, String value, String step) {}

    /** A warning about what a step reported, with the id of that step. */
    public record WarningRow(String step, String message) {}

    /** A file the build kept: its path, size for people, SHA-256, and where to download it. */
    public record ArtifactLink(String path, String size, String sha256, String href) {}

    /** What the build left besides its logs. */
    public record Outputs(List<MetricRow> metrics, List<WarningRow> warnings, List<ArtifactLink> artifacts) {
        public static final Outputs NONE = new Outputs(List.of(), List.of(), List.of());

        public boolean any() {
            return !metrics.isEmpty() || !warnings.isEmpty() || !artifacts.isEmpty();
        }
    }

    public BuildPage(BuildRow build, String statusDetail, String commitSha, String author, String agent,
                     String created, String finished, String retryOf, Map<String, String> substitutions,
                     List<String> labels, List<StepSection> steps, Failure failure, Timeline timeline, Buttons buttons,
                     ApprovalView approval, String error, List<PushedImage> images) {
        this(build, statusDetail, commitSha, author, agent, created, finished, retryOf, substitutions, labels, steps,
                failure, timeline, buttons, approval, error, images, Outputs.NONE, List.of());
    }

    /** An image the build pushed: {@code name} with its tag, {@code digest} as the registry gave it. */
    public record PushedImage(String name, String digest) {}

    public BuildPage(BuildRow build, String statusDetail, String commitSha, String author, String agent,
                     String created, String finished, String retryOf, Map<String, String> substitutions,
                     List<String> labels, List<StepSection> steps, Failure failure, Timeline timeline, Buttons buttons) {
        this(build, statusDetail, commitSha, author, agent, created, finished, retryOf, substitutions, labels, steps,
                failure, timeline, buttons, null, "", List.of());
    }

    /** The same page, telling why the button just pressed was refused. */
    public BuildPage withError(String why) {
        return new BuildPage(build, statusDetail, commitSha, author, agent, created, finished, retryOf, substitutions,
                labels, steps, failure, timeline, buttons, approval, why, images, outputs, promotions);
    }

    /** Waiting in PENDING for someone to approve or reject it. */
    public boolean pending() {
        return "PENDING".equals(build.status());
    }

    public boolean cancellable() {
        return !Statuses.isFinal(build.status());
    }
}
