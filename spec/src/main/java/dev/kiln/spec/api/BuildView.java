package dev.kiln.spec.api;

import dev.kiln.spec.protocol.Status;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A build as the REST API shows it. Times are null until reached. {@code labels}: what an agent
 * must offer to take it; {@code agent}: the agent running it (or that ran it last), null before.
 * Where it came from: {@code repo}, {@code ref} (a full ref name), {@code commitSha},
 * {@code commitAuthor}, {@code commitMessage} and {@code trigger} for a build from git (null
 * otherwise), and {@code cause}: push, webhook, poll, pull_request, schedule, manual or submit;
 * {@code causeDetail}: more about the cause (a scheduled run says whether the commit is new), else null.
 * {@code approval}: the decision on a build of a trigger that requires approval (null while
 * {@code PENDING} and for every other build). {@code kept}: retention never removes it.
 * {@code results}: what it produced, as Cloud Build's: the images it pushed, with their digests.
 * {@code metrics}: the numbers its steps reported (one per name); {@code warnings}: what Kiln could
 * not take as reported (a metric that is not a number, a name reported twice), never dropped silently.
 */
public record BuildView(String id, Status status, String statusDetail, String configPath, Map<String, String> substitutions,
                        List<String> tags, String retryOf, Instant createTime, Instant startTime, Instant finishTime,
                        List<StepView> steps, String logUrl, List<String> labels, String agent,
                        String repo, String ref, String commitSha, String commitAuthor, String commitMessage,
                        String trigger, String cause, String causeDetail, ApprovalView approval,
                        boolean kept, BuildResults results, List<MetricView> metrics, List<BuildWarning> warnings) {

    public BuildView {
        results = results == null ? BuildResults.NONE : results;
        metrics = metrics == null ? List.of() : List.copyOf(metrics);
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
    }

    /** A build with no metrics or warnings recorded. */
    public BuildView(String id, Status status, String statusDetail, String configPath, Map<String, String> substitutions,
                     List<String> tags, String retryOf, Instant createTime, Instant startTime, Instant finishTime,
                     List<StepView> steps, String logUrl, List<String> labels, String agent,
                     String repo, String ref, String commitSha, String commitAuthor, String commitMessage,
                     String trigger, String cause, String causeDetail, ApprovalView approval,
                     boolean kept, BuildResults results) {
        this(id, status, statusDetail, configPath, substitutions, tags, retryOf, createTime, startTime, finishTime, steps,
                logUrl, labels, agent, repo, ref, commitSha, commitAuthor, commitMessage, trigger, cause, causeDetail, approval,
                kept, results, List.of(), List.of());
    }

    /** The same build with its metrics and warnings. */
    public BuildView withMetrics(List<MetricView> newMetrics, List<BuildWarning> newWarnings) {
        return new BuildView(id, status, statusDetail, configPath, substitutions, tags, retryOf, createTime, startTime,
                finishTime, steps, logUrl, labels, agent, repo, ref, commitSha, commitAuthor, commitMessage, trigger, cause,
                causeDetail, approval, kept, results, newMetrics, newWarnings);
    }

    /** A build with no results recorded. */
    public BuildView(String id, Status status, String statusDetail, String configPath, Map<String, String> substitutions,
                     List<String> tags, String retryOf, Instant createTime, Instant startTime, Instant finishTime,
                     List<StepView> steps, String logUrl, List<String> labels, String agent,
                     String repo, String ref, String commitSha, String commitAuthor, String commitMessage,
                     String trigger, String cause, String causeDetail, ApprovalView approval, boolean kept) {
        this(id, status, statusDetail, configPath, substitutions, tags, retryOf, createTime, startTime, finishTime, steps,
                logUrl, labels, agent, repo, ref, commitSha, commitAuthor, commitMessage, trigger, cause, causeDetail, approval,
                kept, BuildResults.NONE);
    }

    /** The same build with {@code steps} instead. */
    public BuildView withSteps(List<StepView> newSteps) {
        return new BuildView(id, status, statusDetail, configPath, substitutions, tags, retryOf, createTime, startTime,
                finishTime, newSteps, logUrl, labels, agent, repo, ref, commitSha, commitAuthor, commitMessage, trigger, cause,
                causeDetail, approval, kept, results, metrics, warnings);
    }

    /** A build without a cause detail or an approval, not kept. */
    public BuildView(String id, Status status, String statusDetail, String configPath, Map<String, String> substitutions,
                     List<String> tags, String retryOf, Instant createTime, Instant startTime, Instant finishTime,
                     List<StepView> steps, String logUrl, List<String> labels, String agent,
                     String repo, String ref, String commitSha, String commitAuthor, String commitMessage,
                     String trigger, String cause) {
        this(id, status, statusDetail, configPath, substitutions, tags, retryOf, createTime, startTime, finishTime, steps,
                logUrl, labels, agent, repo, ref, commitSha, commitAuthor, commitMessage, trigger, cause, null, null, false);
    }
}
