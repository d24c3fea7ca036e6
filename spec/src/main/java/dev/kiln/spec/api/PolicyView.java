package dev.kiln.spec.api;

import java.util.List;

/** A repo's promotion policy as the API shows it; {@code expires} as written ({@code 7d}, {@code 12h}). */
public record PolicyView(String repo, String from, String to, boolean requireApproval, int approvals,
                         String approverRole, boolean preventSelfApproval, String expires, List<String> gates,
                         long updateTime, String updatedBy) {}
