package dev.kiln.spec.api;

/** The body of {@code POST /api/models/{repo}/rollback}: the model version to bring back, and why. */
public record RollbackRequest(int to, String comment) {}
