package dev.kiln.spec.api;

/** A metric of a build as the API shows it: its value and the id of the step that reported it. */
public record MetricView(String name, double value, String step) {}
