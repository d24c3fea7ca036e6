package dev.kiln.spec.api;

import java.time.Instant;

/**
 * The decision on a build of a trigger that requires approval, as Cloud Build's
 * {@code ApprovalResult}: {@code decision} {@code APPROVED} or {@code REJECTED}, who decided (the
 * token's name), when, and their comment (null if none).
 */
public record ApprovalView(String decision, String approver, Instant time, String comment) {}
