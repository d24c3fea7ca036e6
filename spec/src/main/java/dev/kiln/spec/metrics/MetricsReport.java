package dev.kiln.spec.metrics;

import java.util.List;

/**
 * What one source of one step reported: its metrics in the order read (a name at most once: the
 * last value read wins) and a warning for each value that could not be taken, so none is lost silently.
 */
public record MetricsReport(List<Metric> metrics, List<String> warnings) {
    public static final MetricsReport NONE = new MetricsReport(List.of(), List.of());

    public MetricsReport {
        metrics = metrics == null ? List.of() : List.copyOf(metrics);
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
    }
}
