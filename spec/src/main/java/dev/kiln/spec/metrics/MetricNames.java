package dev.kiln.spec.metrics;

import java.util.regex.Pattern;

/**
 * What a metric's name and value may be. Names are what a promotion gate names
 * ({@code accuracy >= 0.80}), so they are plain words; values must be finite numbers, because a
 * gate comparing with NaN would neither pass nor fail honestly.
 */
public final class MetricNames {
    /** Most names a build may record; past it, further ones are warnings. */
    public static final int MAX_PER_BUILD = 1_000;
    public static final int MAX_NAME = 128;
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.\\-/]*");
    /** A decimal number as people and Python's {@code print} write it; no hex, no NaN, no Infinity. */
    private static final Pattern NUMBER = Pattern.compile("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?");

    private MetricNames() {}

    /** Why {@code name} cannot be a metric's name, or null when it can. */
    public static String nameProblem(String name) {
        if (name.isEmpty()) {
            return "a metric needs a name";
        }
        if (name.length() > MAX_NAME) {
            return "metric name '" + shown(name) + "' is longer than " + MAX_NAME + " characters";
        }
        if (!NAME.matcher(name).matches()) {
            return "metric name '" + shown(name) + "' must start with a letter or '_' and hold only letters, digits,"
                    + " '_', '.', '-' and '/'";
        }
        return null;
    }

    /** Why {@code value} cannot be a metric's value, or null when it can. */
    public static String valueProblem(String name, double value) {
        return Double.isFinite(value) ? null
                : "metric '" + name + "' is " + shown(String.valueOf(value)) + ", not a finite number; not recorded";
    }

    /** The number written as {@code text}, or null when it is not a plain decimal number. */
    static Double number(String text) {
        return NUMBER.matcher(text).matches() ? Double.valueOf(text) : null;
    }

    /** A value as a message may show it: short, and without characters that would break the message's line. */
    static String shown(String text) {
        String t = text.length() <= 60 ? text : text.substring(0, 60) + "...";
        StringBuilder out = new StringBuilder();
        t.codePoints().forEach(c -> {
            if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }
}
