package dev.kiln.webui.view;

import java.util.List;

/**
 * One promotion: what is promoted (commit, candidate build, metrics, artifacts), how its gates
 * judged it against production, who decided, and where it stands. {@code buttons.decide()}: the
 * viewer holds the policy's approver role on the repo; the Approve form carries {@code commit} and
 * both digests as shown here, which the server binds the approval to. {@code error}: why the last
 * decision sent was refused, empty when none was.
 */
public record PromotionPage(String id, String repo, String kind, String state, String stateKind, String detail,
                            String from, String to, String commit, String shortCommit, String commitHref,
                            String build, String prodBuild, String modelVersion, String rollbackTo,
                            String production, List<GateRow> gates, List<MetricRow> metrics, List<ArtifactRow> artifacts,
                            List<Decision> decisions, String approvals, String approverRole, String author,
                            String submitter, Stamp created, Stamp updated, Stamp expires, String metricsDigest,
                            String artifactsDigest, Buttons buttons, String error) {

    /**
     * A gate's outcome: {@code comparison} says what it compared with ("fixed number", "against
     * production v3's recorded value", "within this build"); {@code verdict}: PASS, FAIL or "not applicable".
     */
    public record GateRow(String gate, String source, String comparison, String value, String threshold,
                          String production, String verdict, String verdictKind, String reason) {}

    public record MetricRow(String name, String value) {}

    public record ArtifactRow(String path, String size, String sha256, String href) {}

    public record Decision(String user, String verdict, String comment, Stamp time) {}

    public boolean awaiting() {
        return "AWAITING_APPROVAL".equals(state);
    }

    public PromotionPage withError(String why) {
        return new PromotionPage(id, repo, kind, state, stateKind, detail, from, to, commit, shortCommit, commitHref, build,
                prodBuild, modelVersion, rollbackTo, production, gates, metrics, artifacts, decisions, approvals, approverRole,
                author, submitter, created, updated, expires, metricsDigest, artifactsDigest, buttons, why);
    }
}
