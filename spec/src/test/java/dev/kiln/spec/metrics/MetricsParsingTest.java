package dev.kiln.spec.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A metrics file and {@code ::metric} lines: what is recorded, and a warning for everything that is not. */
class MetricsParsingTest {

    private static MetricsReport file(String json) {
        return MetricsFile.parse(json.getBytes(StandardCharsets.UTF_8), "metrics.json");
    }

    @Test
    void a_flat_object_of_numbers_is_read_in_order() {
        MetricsReport r = file("{\"accuracy\": 0.93, \"f1\": 0.88, \"rows\": 7043, \"auc\": -1e-3}");
        assertThat(r.metrics()).containsExactly(new Metric("accuracy", 0.93), new Metric("f1", 0.88),
                new Metric("rows", 7043), new Metric("auc", -0.001));
        assertThat(r.warnings()).isEmpty();
    }

    @Test
    void values_that_are_not_finite_numbers_are_warnings_and_the_rest_is_kept() {
        MetricsReport r = file("""
                {"accuracy": 0.9, "label": "high", "ok": true, "none": null, "nested": {"a": 1}, "list": [1],
                 "nan": NaN, "inf": Infinity, "huge": 1e400, "bad name": 1, "accuracy": 0.95}""");
        assertThat(r.metrics()).containsExactly(new Metric("accuracy", 0.95));
        assertThat(r.warnings()).containsExactly(
                "metrics.json: metric 'label' is the string \"high\", not a number; not recorded",
                "metrics.json: metric 'ok' is true, not a number; not recorded",
                "metrics.json: metric 'none' is null, not a number; not recorded",
                "metrics.json: metric 'nested' is an object (the file must be flat), not a number; not recorded",
                "metrics.json: metric 'list' is a list, not a number; not recorded",
                "metrics.json: metric 'nan' is NaN, not a finite number; not recorded",
                "metrics.json: metric 'inf' is Infinity, not a finite number; not recorded",
                "metrics.json: metric 'huge' is Infinity, not a finite number; not recorded",
                "metrics.json: metric name 'bad name' must start with a letter or '_' and hold only letters, digits,"
                        + " '_', '.', '-' and '/'; not recorded",
                "metrics.json: metric 'accuracy' is given twice; the later value, 0.95, is kept");
    }

    @Test
    void a_file_that_is_not_an_object_or_not_json_is_one_warning() {
        assertThat(file("[1, 2]").warnings()).containsExactly(
                "metrics file metrics.json is not a JSON object of numbers (like {\"accuracy\": 0.93}); nothing recorded from it");
        MetricsReport broken = file("{\"a\": 1, \"b\": ");
        assertThat(broken.metrics()).containsExactly(new Metric("a", 1));
        assertThat(broken.warnings()).singleElement().asString()
                .startsWith("metrics file metrics.json is not valid JSON (")
                .endsWith("; the metrics before the error are recorded");
        assertThat(file("").warnings()).hasSize(1);
    }

    @Test
    void metric_lines_are_read_and_bad_ones_name_their_line() {
        MetricLines lines = new MetricLines();
        lines.line("training...", 1);
        lines.line("::metric accuracy=0.91", 2);
        lines.line("  ::metric latency_p95_ms = 12.5\r", 3);
        lines.line("::metric f1=high", 4);
        lines.line("::metric nan=NaN", 5);
        lines.line("::metric nothing", 6);
        lines.line("::metrics x=1", 7);
        lines.line("::metric accuracy=0.92", 8);
        lines.line("echo ::metric inline=1", 9);
        MetricsReport r = lines.report();
        assertThat(r.metrics()).containsExactly(new Metric("latency_p95_ms", 12.5), new Metric("accuracy", 0.92));
        assertThat(r.warnings()).containsExactly(
                "line 4: metric 'f1' is 'high', not a number; not recorded",
                "line 5: metric 'nan' is 'NaN', not a number; not recorded",
                "line 6: '::metric nothing' is not ::metric name=value; not recorded",
                "line 8: metric 'accuracy' is given again; this later value, 0.92, is kept");
    }
}
