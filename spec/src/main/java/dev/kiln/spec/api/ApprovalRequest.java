package dev.kiln.spec.api;

/** The body of {@code POST /api/builds/{id}/approve} and {@code .../reject}: an optional comment kept with the decision. */
public record ApprovalRequest(String comment) {}
