package dev.kiln.spec.config;

/**
 * A named volume mounted into a step's container at {@code path}, as Cloud Build's {@code volumes}:
 * steps of one build that name the same volume share its files; it is removed when the build ends.
 */
public record Volume(String name, String path) {}
