package dev.kiln.spec.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Picks {@code ::metric name=value} lines out of a step's output, fed one line at a time in order.
 * A line must start with {@code ::metric } (white space before it is allowed, so an indented print
 * counts); anything else is output. A malformed or non-finite value is a warning naming the line.
 * A name given again replaces the earlier value, with a warning.
 */
public final class MetricLines {
    public static final String PREFIX = "::metric ";
    /** Longer lines cannot be a metric: they are not looked into (a log may have megabyte lines). */
    public static final int MAX_LINE = 4_096;

    private final Map<String, Metric> metrics = new LinkedHashMap<>();
    private final List<String> warnings = new ArrayList<>();

    /** Reads line {@code number} (1-based) of the output; ignored unless it is a metric line. */
    public void line(String text, long number) {
        String t = text.strip();
        if (!t.startsWith(PREFIX.strip()) || (t.length() > PREFIX.strip().length()
                && !Character.isWhitespace(t.charAt(PREFIX.strip().length())))) {
            return;
        }
        String rest = t.substring(PREFIX.strip().length()).strip();
        int eq = rest.indexOf('=');
        String where = "line " + number + ": ";
        if (eq < 0) {
            warnings.add(where + "'" + MetricNames.shown(t) + "' is not ::metric name=value; not recorded");
            return;
        }
        String name = rest.substring(0, eq).strip();
        String value = rest.substring(eq + 1).strip();
        String problem = MetricNames.nameProblem(name);
        if (problem != null) {
            warnings.add(where + problem + "; not recorded");
            return;
        }
        Double v = MetricNames.number(value);
        if (v == null) {
            warnings.add(where + "metric '" + name + "' is '" + MetricNames.shown(value) + "', not a number; not recorded");
            return;
        }
        String bad = MetricNames.valueProblem(name, v);
        if (bad != null) {
            warnings.add(where + bad);
            return;
        }
        if (metrics.remove(name) != null) {
            warnings.add(where + "metric '" + name + "' is given again; this later value, " + v + ", is kept");
        }
        metrics.put(name, new Metric(name, v));
    }

    public MetricsReport report() {
        return new MetricsReport(new ArrayList<>(metrics.values()), warnings);
    }
}
