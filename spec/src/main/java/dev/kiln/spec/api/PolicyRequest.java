package dev.kiln.spec.api;

import java.util.List;

/**
 * The body of {@code PUT /api/repos/{name}/policy}: how green builds of {@code from} reach {@code to}.
 * Absent fields take their defaults: approval required, 1 approval, by an approver, no
 * self-approval prevention, expiry {@code 30d}, no gates.
 */
public record PolicyRequest(String from, String to, Boolean requireApproval, Integer approvals, String approverRole,
                            Boolean preventSelfApproval, String expires, List<String> gates) {}
