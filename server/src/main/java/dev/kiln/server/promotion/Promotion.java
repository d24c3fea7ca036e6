package dev.kiln.server.promotion;

import dev.kiln.server.access.Role;
import dev.kiln.spec.api.ArtifactDigest;
import dev.kiln.spec.api.GateView;
import java.util.List;
import java.util.Map;

/**
 * A promotion as stored: a candidate commit of {@code from}, measured by build {@code buildId},
 * on its way to {@code to}. What an approver is shown is kept with it ({@code metrics},
 * {@code artifacts} and their digests, the gates' outcomes), so that an approval can be bound to it.
 */
public record Promotion(String id, long seq, String repo, Kind kind, String from, String to, String commitSha,
                        String buildId, Integer rollbackTo, State state, String detail, List<GateView> gates,
                        Integer productionVersion, Map<String, Double> metrics, String metricsDigest,
                        List<ArtifactDigest> artifacts, String artifactsDigest, int approvalsNeeded, Role approverRole,
                        boolean preventSelfApproval, String author, String submitter, String targetOldSha,
                        String prodBuildId, long createTime, long updateTime, long expireTime) {

    public enum Kind { PROMOTION, ROLLBACK }

    public enum State {
        GATES_FAILED, AWAITING_APPROVAL, PROMOTING, PROMOTED, REJECTED, FAILED, SUPERSEDED, EXPIRED;

        /** Whether nothing more happens to a promotion in this state. */
        public boolean settled() {
            return this != AWAITING_APPROVAL && this != PROMOTING;
        }
    }

    public String shortCommit() {
        return commitSha.substring(0, Math.min(12, commitSha.length()));
    }
}
