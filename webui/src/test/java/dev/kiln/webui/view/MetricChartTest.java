package dev.kiln.webui.view;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class MetricChartTest {
    private static final String BOTTOM = MetricChart.n(MetricChart.Y1);
    private static final String TOP = MetricChart.n(MetricChart.Y0);
    private static final String MIDDLE = MetricChart.n((MetricChart.X0 + MetricChart.X1) / 2.0);
    private static final String HALF = MetricChart.n((MetricChart.Y0 + MetricChart.Y1) / 2.0);

    private static MetricChart.Point p(String label, double v) {
        return new MetricChart.Point(label, v, "", null);
    }

    @Test
    void points_span_the_plot_lowest_at_the_bottom_highest_at_the_top_and_the_axis_says_min_and_max() {
        String svg = MetricChart.svg("accuracy", List.of(p("b1", 0.5), p("b2", 1.0), p("b3", 0.75)));
        String left = MetricChart.n(MetricChart.X0);
        String right = MetricChart.n(MetricChart.X1);
        String middle = MIDDLE;
        String half = HALF;
        assertThat(svg).startsWith("<svg ").endsWith("</svg>")
                .contains("width=\"560\" height=\"180\"", "aria-label=\"accuracy over 3 builds\"")
                .contains("cx=\"" + left + "\" cy=\"" + BOTTOM + "\"", "cx=\"" + middle + "\" cy=\"" + TOP + "\"",
                        "cx=\"" + right + "\" cy=\"" + half + "\"")
                .contains("points=\"" + left + "," + BOTTOM + " " + middle + "," + TOP + " " + right + "," + half + "\"")
                .contains(">0.5</text>", ">1</text>", "<title>b3: 0.75</title>");
    }

    @Test
    void a_single_point_sits_in_the_middle_and_all_equal_values_on_a_flat_line_mid_height() {
        String one = MetricChart.svg("loss", List.of(p("b1", 0.3)));
        String middle = MIDDLE;
        String half = HALF;
        assertThat(one).contains("cx=\"" + middle + "\" cy=\"" + half + "\"", "over 1 build\"").doesNotContain("polyline", "NaN");
        String flat = MetricChart.svg("loss", List.of(p("b1", 2), p("b2", 2), p("b3", 2)));
        assertThat(flat).contains("cy=\"" + half + "\"").doesNotContain("NaN", "Infinity", "cy=\"" + TOP + "\"")
                .contains(">1.8</text>", ">2.2</text>");
        assertThat(MetricChart.svg("zero", List.of(p("b1", 0), p("b2", 0)))).contains(">-1</text>", ">1</text>")
                .doesNotContain("NaN");
    }

    @Test
    void values_that_are_not_numbers_are_left_out_and_nan_never_appears() {
        String svg = MetricChart.svg("f1", List.of(p("b1", Double.NaN), p("b2", 0.2), p("b3", Double.POSITIVE_INFINITY),
                new MetricChart.Point("b4", 0.4, "v1", Double.NaN)));
        assertThat(svg).doesNotContain("NaN", "Infinity", "b1", "b3").contains("over 2 builds", "b2", "b4");
        assertThat(MetricChart.svg("f1", List.of(p("b1", Double.NaN)))).contains("no values").doesNotContain("NaN");
        assertThat(MetricChart.svg("f1", List.of())).contains("no values");
        assertThat(MetricChart.svg("huge", List.of(p("b1", -Double.MAX_VALUE), p("b2", Double.MAX_VALUE))))
                .doesNotContain("NaN", "Infinity");
    }

    @Test
    void production_versions_are_marked_and_the_production_value_is_a_step_line() {
        String svg = MetricChart.svg("accuracy", List.of(new MetricChart.Point("b1", 0.8, "v1", null),
                new MetricChart.Point("b2", 0.7, "", 0.8), new MetricChart.Point("b3", 0.9, "v2", 0.8)));
        assertThat(svg).contains("class=\"chart-ver\"", ">v1</text>", ">v2</text>", "(production v2)")
                .contains("<path class=\"chart-prod\" d=\"M");
        assertThat(svg.split("class=\"chart-ver\"", -1)).hasSize(3);
        assertThat(svg.split("class=\"chart-pt\"", -1)).hasSize(2);
    }

    @Test
    void every_text_is_escaped() {
        String svg = MetricChart.svg("<script>alert(1)</script>", List.of(new MetricChart.Point("<b>", 1, "<v>", null)));
        assertThat(svg).doesNotContain("<script>", "<b>", "<v>").contains("&lt;script&gt;", "&lt;b&gt;", "&lt;v&gt;");
    }
}
