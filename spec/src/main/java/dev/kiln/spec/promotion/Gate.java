package dev.kiln.spec.promotion;

import dev.kiln.spec.metrics.MetricNames;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One promotion gate as written: a metric of the candidate's build compared with a threshold.
 * The threshold is a number ({@code accuracy >= 0.80}), the production model's recorded value of the
 * same metric, maybe shifted or scaled ({@code accuracy >= production - 0.01},
 * {@code latency_p95_ms <= production * 1.10}), or another metric of the same build, as when the
 * build scored the production model on the same held-out data ({@code accuracy >= production_accuracy}).
 * Bounds are inclusive for {@code >=} and {@code <=}.
 *
 * @param reference null for a number, {@link #PRODUCTION}, or the name of another metric of the build
 * @param adjust    {@code '+'}, {@code '-'}, {@code '*'}, or 0 when the reference is taken as it is
 * @param number    the threshold itself (no reference), or what the reference is adjusted by
 */
public record Gate(String text, String metric, Op op, String reference, char adjust, double number) {

    /** The reference word for the production model's value of the gate's metric. */
    public static final String PRODUCTION = "production";
    public static final int MAX_TEXT = 300;

    /** How the threshold is found, as the promotion page shows it. */
    public enum Kind {
        /** A fixed number. */
        ABSOLUTE,
        /** The value recorded when the production model was promoted (other data, other time). */
        AGAINST_PRODUCTION,
        /** Another metric of the same build: both numbers were measured on the same data, in one run. */
        SAME_BUILD
    }

    public enum Op {
        GE(">="), LE("<="), GT(">"), LT("<"), EQ("==");

        public final String symbol;

        Op(String symbol) {
            this.symbol = symbol;
        }

        /**
         * Whether {@code value OP threshold}, with thresholds computed in binary floating point taken as
         * people write them: {@code 0.3 - 0.1} is 0.19999999999999998, yet 0.2 is within {@code <= 0.3 - 0.1}.
         */
        public boolean holds(double value, double threshold) {
            double slack = 1e-9 * Math.max(1, Math.abs(threshold));
            return switch (this) {
                case GE -> value >= threshold - slack;
                case LE -> value <= threshold + slack;
                case GT -> value > threshold + slack;
                case LT -> value < threshold - slack;
                case EQ -> Math.abs(value - threshold) <= slack;
            };
        }

        static Op of(String s) {
            for (Op o : values()) {
                if (o.symbol.equals(s)) {
                    return o;
                }
            }
            return null;
        }
    }

    private static final String NAME = "[A-Za-z_][A-Za-z0-9_.\\-/]*";
    private static final String NUM = "[-+]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][-+]?\\d+)?";
    private static final Pattern SHAPE = Pattern.compile(
            "\\s*(" + NAME + ")\\s*(>=|<=|==|>|<)\\s*(?:(" + NUM + ")|(" + NAME + ")(?:\\s+([-+*])\\s+(" + NUM + "))?)\\s*");
    private static final String FORMS = "write METRIC OP THRESHOLD with OP one of >= <= > < ==, and THRESHOLD a number,"
            + " 'production', 'production - 0.01', 'production * 1.10', or another metric of the build"
            + " (e.g. 'accuracy >= 0.80', 'latency_p95_ms <= production * 1.10')";

    /** The gate written as {@code text}; an {@link IllegalArgumentException} saying what is wrong otherwise. */
    public static Gate parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("a gate is empty; " + FORMS);
        }
        if (text.length() > MAX_TEXT) {
            throw new IllegalArgumentException("a gate is longer than " + MAX_TEXT + " characters");
        }
        Matcher m = SHAPE.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("gate '" + shown(text) + "' cannot be read; " + FORMS);
        }
        String metric = m.group(1);
        String problem = MetricNames.nameProblem(metric);
        if (problem != null) {
            throw new IllegalArgumentException("gate '" + shown(text) + "': " + problem);
        }
        Op op = Op.of(m.group(2));
        if (m.group(3) != null) {
            return new Gate(text.strip(), metric, op, null, (char) 0, finite(text, m.group(3)));
        }
        String ref = m.group(4);
        if (ref.toLowerCase(Locale.ROOT).matches("production[-+*].*")) {
            throw new IllegalArgumentException("gate '" + shown(text) + "': put spaces around the operator, as in '"
                    + metric + " " + op.symbol + " production " + ref.charAt(10) + " " + ref.substring(11) + "'");
        }
        if (ref.equals(metric)) {
            throw new IllegalArgumentException("gate '" + shown(text) + "' compares " + metric
                    + " with itself; compare it with a number, 'production', or another metric");
        }
        problem = MetricNames.nameProblem(ref);
        if (problem != null) {
            throw new IllegalArgumentException("gate '" + shown(text) + "': " + problem);
        }
        if (m.group(5) == null) {
            return new Gate(text.strip(), metric, op, ref, (char) 0, 0);
        }
        return new Gate(text.strip(), metric, op, ref, m.group(5).charAt(0), finite(text, m.group(6)));
    }

    public Kind kind() {
        if (reference == null) {
            return Kind.ABSOLUTE;
        }
        return reference.equals(PRODUCTION) ? Kind.AGAINST_PRODUCTION : Kind.SAME_BUILD;
    }

    /** The threshold for a reference value of {@code base} (ignored for an absolute gate). */
    public double threshold(double base) {
        return switch (adjust) {
            case '+' -> base + number;
            case '-' -> base - number;
            case '*' -> base * number;
            default -> reference == null ? number : base;
        };
    }

    /** Whether the threshold scales the reference, which means nothing when the reference is 0. */
    public boolean scales() {
        return adjust == '*';
    }

    @Override
    public String toString() {
        return text;
    }

    private static double finite(String text, String number) {
        double d = Double.parseDouble(number);
        if (!Double.isFinite(d)) {
            throw new IllegalArgumentException("gate '" + shown(text) + "': " + number + " is not a finite number");
        }
        return d;
    }

    private static String shown(String text) {
        String t = text.strip();
        t = t.length() <= 80 ? t : t.substring(0, 80) + "...";
        return t.replaceAll("\\p{Cntrl}", "?");
    }
}
