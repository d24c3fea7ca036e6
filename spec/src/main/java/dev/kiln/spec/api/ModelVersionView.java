package dev.kiln.spec.api;

import java.util.List;
import java.util.Map;

/**
 * A production version of a repo's model in the registry: what was promoted (commit, the build that
 * measured it, its metrics and artifacts), the production build and the images it pushed, the gates
 * and decisions that let it in, and when it entered and left production ({@code leftTime} null:
 * it is production now). {@code rollbackOf}: the earlier version a rollback brought back.
 */
public record ModelVersionView(String repo, int version, boolean production, String promotion, String commit,
                               String build, String prodBuild, Map<String, Double> metrics,
                               List<ArtifactDigest> artifacts, List<String> images, List<GateView> gates,
                               List<DecisionView> decisions, Integer rollbackOf, long enteredTime, Long leftTime) {}
