package dev.kiln.spec.api;

/**
 * The body of {@code POST /api/promotions/{id}/approve} and {@code .../reject}. An approval names
 * what its approver was shown (the commit and the digests of the metrics and artifacts, as
 * {@link PromotionView} gives them): if any of them changed since, the approval is refused.
 */
public record DecisionRequest(String comment, String commit, String metricsDigest, String artifactsDigest) {}
