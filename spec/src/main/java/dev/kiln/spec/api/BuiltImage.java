package dev.kiln.spec.api;

/** An image a build pushed, as Cloud Build's {@code results.images}: its name (with tag) and the registry's digest. */
public record BuiltImage(String name, String digest) {}
