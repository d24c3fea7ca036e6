package dev.kiln.spec.api;

/** An approver's decision on a promotion: {@code APPROVE} or {@code REJECT}, with their comment. */
public record DecisionView(String user, String verdict, String comment, long time) {}
