package dev.kiln.spec.api;

/** Something a build reported that Kiln could not take as given (a metric that is not a number); {@code step}: its id. */
public record BuildWarning(String step, String message) {}
