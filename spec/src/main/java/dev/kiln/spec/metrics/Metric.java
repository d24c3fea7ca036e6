package dev.kiln.spec.metrics;

/** One number a step reported: {@code accuracy = 0.93}. Always finite. */
public record Metric(String name, double value) {

    /** {@code value} as people read it: {@code 7043} for a whole number, else the shortest exact form ({@code 0.93}). */
    public static String format(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return Double.toString(value);
    }
}
