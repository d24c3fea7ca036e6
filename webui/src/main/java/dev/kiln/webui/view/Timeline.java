package dev.kiln.webui.view;

import java.util.List;

/**
 * The steps on one time axis, as bars of an SVG drawn by the template: positions are already
 * scaled to the view box ({@link #WIDTH} by 20 per step), so no script or style is needed.
 */
public record Timeline(List<Bar> bars, String total) {
    public static final int WIDTH = 600;

    public record Bar(int index, String label, String kind, int x, int width, int y) {}

    public int height() {
        return bars.size() * 20 + 4;
    }

    /** Places each step between the build's first start and its last finish (or now). */
    public static Timeline of(List<Span> spans, long now) {
        long start = spans.stream().filter(s -> s.start() != null).mapToLong(Span::start).min().orElse(now);
        long end = spans.stream().mapToLong(s -> s.finish() != null ? s.finish() : s.start() != null ? now : start)
                .max().orElse(now);
        double scale = (WIDTH - 160) / (double) Math.max(1, end - start);
        List<Bar> bars = new java.util.ArrayList<>();
        for (int i = 0; i < spans.size(); i++) {
            Span s = spans.get(i);
            int x = 0;
            int w = 0;
            if (s.start() != null) {
                long f = s.finish() != null ? s.finish() : now;
                x = (int) Math.round((s.start() - start) * scale);
                w = Math.max(2, (int) Math.round((f - s.start()) * scale));
            }
            bars.add(new Bar(s.index(), s.label(), s.kind(), 150 + x, w, i * 20 + 2));
        }
        return new Timeline(bars, Durations.text(end - start));
    }

    /** One step's times (epoch ms, null when not reached). */
    public record Span(int index, String label, String kind, Long start, Long finish) {}
}
