package dev.kiln.spec.promotion;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks gates against a candidate build's metrics and the production model's. Nothing passes by
 * default: a metric the build did not report fails its gate ("metric not found"), and a gate
 * against production whose production value is missing, or 0 where it is scaled, fails saying so
 * rather than comparing with NaN. Only when there is no production model at all (the very first
 * promotion) are gates against production not applicable, and the result says so.
 */
public final class GateCheck {
    public enum Verdict { PASS, FAIL, NOT_APPLICABLE }

    /**
     * One gate's outcome: the candidate's value, the threshold it was held to, the production value
     * it was derived from (null for an absolute or same-build gate), and why it failed or did not apply.
     */
    public record Result(String gate, Gate.Kind kind, Double value, Double threshold, Double productionValue,
                         Verdict verdict, String reason) {
        public boolean passed() {
            return verdict != Verdict.FAIL;
        }
    }

    private GateCheck() {}

    /**
     * Each gate's outcome, in order. {@code production}: the production model's metrics, empty when
     * nothing was ever promoted.
     */
    public static List<Result> check(List<Gate> gates, Map<String, Double> metrics,
                                     Optional<Map<String, Double>> production) {
        List<Result> out = new ArrayList<>();
        for (Gate g : gates) {
            out.add(check(g, metrics, production));
        }
        return List.copyOf(out);
    }

    /** Whether every gate passed or did not apply. */
    public static boolean allPass(List<Result> results) {
        return results.stream().allMatch(Result::passed);
    }

    static Result check(Gate g, Map<String, Double> metrics, Optional<Map<String, Double>> production) {
        Double value = metrics.get(g.metric());
        if (value == null) {
            return fail(g, null, null, null, "metric not found: the build reported no '" + g.metric() + "'");
        }
        switch (g.kind()) {
            case ABSOLUTE -> {
                return verdict(g, value, g.threshold(0), null);
            }
            case SAME_BUILD -> {
                Double base = metrics.get(g.reference());
                if (base == null) {
                    return fail(g, value, null, null, "metric not found: the build reported no '" + g.reference() + "'");
                }
                if (g.scales() && base == 0) {
                    return fail(g, value, null, null, "'" + g.reference() + "' is 0: a threshold that scales it means nothing");
                }
                return verdict(g, value, g.threshold(base), null);
            }
            default -> {
                if (production.isEmpty()) {
                    return new Result(g.text(), g.kind(), value, null, null, Verdict.NOT_APPLICABLE,
                            "no production model yet: this is the first promotion");
                }
                Double base = production.get().get(g.metric());
                if (base == null) {
                    return fail(g, value, null, null, "the production model has no recorded '" + g.metric()
                            + "' to compare with");
                }
                if (g.scales() && base == 0) {
                    return fail(g, value, null, base, "the production model's '" + g.metric()
                            + "' is 0: a threshold that scales it means nothing");
                }
                return verdict(g, value, g.threshold(base), base);
            }
        }
    }

    private static Result verdict(Gate g, double value, double threshold, Double production) {
        if (g.op().holds(value, threshold)) {
            return new Result(g.text(), g.kind(), value, threshold, production, Verdict.PASS, null);
        }
        return fail(g, value, threshold, production, g.metric() + " is " + number(value) + ", not " + g.op().symbol + " "
                + number(threshold));
    }

    private static Result fail(Gate g, Double value, Double threshold, Double production, String reason) {
        return new Result(g.text(), g.kind(), value, threshold, production, Verdict.FAIL, reason);
    }

    /** A number as people read it: no trailing zeros, no exponent for everyday values. */
    public static String number(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return String.valueOf((long) d);
        }
        String s = String.format(java.util.Locale.ROOT, "%.6g", d);
        if (s.contains("e")) {
            return s;
        }
        s = s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
        return s;
    }
}
