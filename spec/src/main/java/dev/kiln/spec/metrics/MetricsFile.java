package dev.kiln.spec.metrics;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a step's {@code metrics: FILE}: a flat JSON object of numbers, as
 * {@code json.dump({"accuracy": 0.93, "f1": 0.88}, f)} writes it. Every value that cannot be taken
 * (a string, a nested object, NaN, which Python's {@code json} writes for {@code float('nan')}) is a
 * warning and the others are still read; a file that is not such an object at all is one warning.
 */
public final class MetricsFile {
    /** A metrics file is a few numbers; a bigger one is a mistake (a data file named by accident). */
    public static final long MAX_BYTES = 1 << 20;

    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS) // to say "NaN" rather than "malformed"
            .build();

    private MetricsFile() {}

    /** The metrics in {@code json}, read from the step's file {@code file} (named in warnings). */
    public static MetricsReport parse(byte[] json, String file) {
        Map<String, Metric> metrics = new LinkedHashMap<>();
        List<String> warnings = new ArrayList<>();
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                warnings.add("metrics file " + file + " is not a JSON object of numbers (like {\"accuracy\": 0.93});"
                        + " nothing recorded from it");
                return new MetricsReport(List.of(), warnings);
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                String problem = MetricNames.nameProblem(name);
                if (problem != null) {
                    warnings.add(file + ": " + problem + "; not recorded");
                    p.skipChildren();
                    continue;
                }
                if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
                    double v = p.getValueAsDouble();
                    String bad = MetricNames.valueProblem(name, v);
                    if (bad != null) {
                        warnings.add(file + ": " + bad);
                    } else {
                        if (metrics.remove(name) != null) {
                            warnings.add(file + ": metric '" + name + "' is given twice; the later value, " + v
                                    + ", is kept");
                        }
                        metrics.put(name, new Metric(name, v));
                    }
                } else {
                    warnings.add(file + ": metric '" + name + "' is " + describe(p, t) + ", not a number; not recorded");
                    p.skipChildren();
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                warnings.add("metrics file " + file + " has more after its JSON object; what came after was not read");
            }
        } catch (IOException e) {
            warnings.add("metrics file " + file + " is not valid JSON (" + firstLine(e.getMessage()) + ")"
                    + (metrics.isEmpty() ? "; nothing recorded from it" : "; the metrics before the error are recorded"));
        }
        return new MetricsReport(new ArrayList<>(metrics.values()), warnings);
    }

    private static String describe(JsonParser p, JsonToken t) throws IOException {
        return switch (t) {
            case VALUE_STRING -> "the string \"" + MetricNames.shown(p.getText()) + "\"";
            case VALUE_TRUE, VALUE_FALSE -> p.getText();
            case VALUE_NULL -> "null";
            case START_OBJECT -> "an object (the file must be flat)";
            case START_ARRAY -> "a list";
            default -> String.valueOf(t);
        };
    }

    private static String firstLine(String message) {
        String m = message == null ? "" : message;
        int nl = m.indexOf('\n');
        return MetricNames.shown(nl < 0 ? m : m.substring(0, nl));
    }
}
