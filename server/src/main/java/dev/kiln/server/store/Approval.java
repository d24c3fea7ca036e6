package dev.kiln.server.store;

/**
 * The decision on a build that waited in {@code PENDING} for approval, as Cloud Build's
 * {@code ApprovalResult}: who decided (the token's name), when (epoch millis) and why.
 */
public record Approval(Decision decision, String approver, long time, String comment) {

    /** Approved: the build is queued. Rejected: it ends {@code CANCELLED} without running. */
    public enum Decision { APPROVED, REJECTED }
}
