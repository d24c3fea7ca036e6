package dev.kiln.webui.view;

import dev.kiln.webui.live.Html;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One metric across builds as a fixed-size SVG, drawn on the server (no script, no library): the
 * builds' values as a line of small dots, production versions as larger filled dots labelled with
 * their version, and the production value over time as a step line. Values that are not finite
 * are left out, so the drawing never holds NaN; every text is escaped.
 */
public final class MetricChart {
    public static final int WIDTH = 560;
    public static final int HEIGHT = 180;
    static final int LEFT = 64;
    static final int RIGHT = 16;
    static final int TOP = 14;
    static final int BOTTOM = 26;
    /** Where values are drawn, inset from the axes so that dots and version labels stay clear of them. */
    static final int X0 = LEFT + 12;
    static final int X1 = WIDTH - RIGHT - 12;
    static final int Y0 = TOP + 16;
    static final int Y1 = HEIGHT - BOTTOM - 8;

    /**
     * A build's value. {@code label}: what its dot's tooltip names (a build id); {@code version}:
     * "v3" when this build became a production version, else empty; {@code production}: the
     * production value when this build ran, null when nothing was in production.
     */
    public record Point(String label, double value, String version, Double production) {}

    private MetricChart() {}

    public static String svg(String metric, List<Point> all) {
        List<Point> points = all.stream().filter(p -> Double.isFinite(p.value())).toList();
        StringBuilder b = new StringBuilder(1024);
        b.append("<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ").append(WIDTH).append(' ')
                .append(HEIGHT).append("\" width=\"").append(WIDTH).append("\" height=\"").append(HEIGHT)
                .append("\" role=\"img\" aria-label=\"").append(Html.escape(metric)).append(" over ").append(points.size())
                .append(points.size() == 1 ? " build" : " builds").append("\">");
        b.append("<title>").append(Html.escape(metric)).append("</title>");
        int bottom = HEIGHT - BOTTOM;
        b.append("<line class=\"chart-axis\" x1=\"").append(LEFT).append("\" y1=\"").append(TOP).append("\" x2=\"").append(LEFT)
                .append("\" y2=\"").append(bottom).append("\"/><line class=\"chart-axis\" x1=\"").append(LEFT).append("\" y1=\"")
                .append(bottom).append("\" x2=\"").append(WIDTH - RIGHT).append("\" y2=\"").append(bottom).append("\"/>");
        if (points.isEmpty()) {
            return b.append("<text class=\"chart-label\" x=\"").append(LEFT + 8).append("\" y=\"").append(TOP + 20)
                    .append("\">no values</text></svg>").toString();
        }
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (Point p : points) {
            lo = Math.min(lo, p.value());
            hi = Math.max(hi, p.value());
            if (p.production() != null && Double.isFinite(p.production())) {
                lo = Math.min(lo, p.production());
                hi = Math.max(hi, p.production());
            }
        }
        if (!(hi > lo)) {
            // All equal: a band around the value, so that the line sits mid-height.
            double pad = lo == 0 ? 1 : Math.abs(lo) * 0.1;
            lo = Math.max(-Double.MAX_VALUE, lo - pad);
            hi = Math.min(Double.MAX_VALUE, hi + pad);
        }
        axisLabel(b, Y1 + 4, lo);
        axisLabel(b, Y0 + 4, hi);
        List<double[]> xy = new ArrayList<>();
        for (int i = 0; i < points.size(); i++) {
            xy.add(new double[] {x(i, points.size()), y(points.get(i).value(), lo, hi)});
        }
        StringBuilder step = new StringBuilder();
        for (int i = 0; i < points.size(); i++) {
            Double prod = points.get(i).production();
            if (prod == null || !Double.isFinite(prod)) {
                continue;
            }
            double y = y(prod, lo, hi);
            double x0 = i == 0 ? LEFT : (xy.get(i - 1)[0] + xy.get(i)[0]) / 2;
            double x1 = i == points.size() - 1 ? WIDTH - RIGHT : (xy.get(i)[0] + xy.get(i + 1)[0]) / 2;
            step.append(step.isEmpty() ? "" : " ").append('M').append(n(x0)).append(' ').append(n(y)).append(" H").append(n(x1));
        }
        if (!step.isEmpty()) {
            b.append("<path class=\"chart-prod\" d=\"").append(step).append("\"/>");
        }
        if (points.size() > 1) {
            b.append("<polyline class=\"chart-line\" points=\"");
            for (int i = 0; i < xy.size(); i++) {
                b.append(i == 0 ? "" : " ").append(n(xy.get(i)[0])).append(',').append(n(xy.get(i)[1]));
            }
            b.append("\"/>");
        }
        for (int i = 0; i < points.size(); i++) {
            Point p = points.get(i);
            boolean version = !p.version().isEmpty();
            b.append("<circle class=\"").append(version ? "chart-ver" : "chart-pt").append("\" cx=\"").append(n(xy.get(i)[0]))
                    .append("\" cy=\"").append(n(xy.get(i)[1])).append("\" r=\"").append(version ? 5 : 3).append("\"><title>")
                    .append(Html.escape(p.label())).append(": ").append(format(p.value()))
                    .append(version ? " (production " + Html.escape(p.version()) + ")" : "").append("</title></circle>");
            if (version) {
                b.append("<text class=\"chart-vlabel\" x=\"").append(n(xy.get(i)[0])).append("\" y=\"")
                        .append(n(xy.get(i)[1] - 8)).append("\" text-anchor=\"middle\">")
                        .append(Html.escape(p.version())).append("</text>");
            }
        }
        return b.append("</svg>").toString();
    }

    private static void axisLabel(StringBuilder b, double y, double value) {
        b.append("<text class=\"chart-label\" x=\"").append(LEFT - 6).append("\" y=\"").append(n(y))
                .append("\" text-anchor=\"end\">").append(format(value)).append("</text>");
    }

    static double x(int i, int n) {
        return n == 1 ? (X0 + X1) / 2.0 : X0 + i * (X1 - X0) / (double) (n - 1);
    }

    static double y(double v, double lo, double hi) {
        // Halves, so that a span wider than the largest double cannot overflow to infinity.
        return Y0 + (hi / 2 - v / 2) / (hi / 2 - lo / 2) * (Y1 - Y0);
    }

    /** A coordinate, one decimal, always with a dot. */
    static String n(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /** A value as people read it: four significant digits, no exponent for usual sizes. */
    static String format(double v) {
        String s = new BigDecimal(v).round(new MathContext(4)).stripTrailingZeros().toString();
        return s.contains("E") ? String.format(Locale.ROOT, "%.3g", v) : s;
    }
}
