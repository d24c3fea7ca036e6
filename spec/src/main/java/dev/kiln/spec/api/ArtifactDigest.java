package dev.kiln.spec.api;

/** An artifact as a model version keeps it: its path, SHA-256 and size. */
public record ArtifactDigest(String path, String sha256, long size) {}
