package dev.kiln.spec.api;

import java.util.List;
import java.util.Map;

/**
 * A promotion as the API shows it. {@code kind}: {@code PROMOTION} (a green build of the source
 * branch) or {@code ROLLBACK} (of the target to model version {@code rollbackTo}). {@code state}:
 * {@code GATES_FAILED}, {@code AWAITING_APPROVAL}, {@code PROMOTING} (the target branch moved, its
 * build runs), {@code PROMOTED}, {@code REJECTED}, {@code FAILED}, {@code SUPERSEDED} or {@code EXPIRED}.
 * {@code productionVersion}: the model version the gates compared with (null: none yet).
 */
public record PromotionView(String id, String repo, String kind, String from, String to, String commit, String build,
                            Integer rollbackTo, String state, String detail, List<GateView> gates,
                            Integer productionVersion, Map<String, Double> metrics, String metricsDigest,
                            List<ArtifactDigest> artifacts, String artifactsDigest, int approvalsNeeded,
                            String approverRole, boolean preventSelfApproval, String author, String submitter,
                            String prodBuild, Integer modelVersion, List<DecisionView> decisions, long createTime,
                            long updateTime, long expireTime) {}
