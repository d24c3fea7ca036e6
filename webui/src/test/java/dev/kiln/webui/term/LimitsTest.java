package dev.kiln.webui.term;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Lines become final as they leave the window, long lines wrap, and pending lines can be shown early. */
class LimitsTest {

    private final List<RenderedLine> lines = new ArrayList<>();

    private TerminalRenderer renderer(RenderOptions options) {
        return new TerminalRenderer(options, lines::add);
    }

    private static void write(TerminalRenderer r, String s) {
        r.write(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void a_line_is_emitted_once_it_leaves_the_window() {
        TerminalRenderer r = renderer(RenderOptions.defaults().withWindowLines(3));
        write(r, "1\n2\n3\n");
        assertThat(lines).extracting(RenderedLine::html).containsExactly("1");
        write(r, "4\n");
        assertThat(lines).extracting(RenderedLine::html).containsExactly("1", "2");
        r.finish();
        assertThat(lines).extracting(RenderedLine::html).containsExactly("1", "2", "3", "4");
    }

    @Test
    void cursor_up_reaches_no_further_than_the_window() {
        TerminalRenderer r = renderer(RenderOptions.defaults().withWindowLines(2));
        write(r, "a\nb\nc\u001b[5AX\n");
        r.finish();
        assertThat(lines).extracting(RenderedLine::html).containsExactly("a", "bX", "c"); // up keeps the column
    }

    @Test
    void pending_shows_the_window_as_it_stands() {
        TerminalRenderer r = renderer(RenderOptions.defaults());
        write(r, "done\n\u001b[1m50%");
        assertThat(lines).isEmpty();
        assertThat(r.pending()).extracting(RenderedLine::number, RenderedLine::html).containsExactly(
                org.assertj.core.groups.Tuple.tuple(1L, "done"),
                org.assertj.core.groups.Tuple.tuple(2L, "<span class=\"term-bold\">50%</span>"));
        write(r, "\r100%\n");
        r.finish();
        assertThat(lines).extracting(RenderedLine::html).containsExactly("done", "<span class=\"term-bold\">100%</span>");
    }

    @Test
    void a_line_past_the_cap_wraps() {
        TerminalRenderer r = renderer(RenderOptions.defaults().withMaxLineLength(16));
        write(r, "0123456789abcdefXYZ\n");
        r.finish();
        assertThat(lines).extracting(RenderedLine::html).containsExactly("0123456789abcdef", "XYZ");
    }

    @Test
    void the_cell_budget_emits_old_lines_early() {
        TerminalRenderer r = renderer(new RenderOptions(128, 16, 64, RenderOptions.defaults().markers()));
        for (int i = 0; i < 20; i++) {
            write(r, "0123456789abcdef\n");
        }
        // 64 cells hold four full lines: the rest have been emitted although the window has room.
        assertThat(lines.size()).isGreaterThanOrEqualTo(16);
        r.finish();
        assertThat(lines).hasSize(20);
    }

    @Test
    void a_hundred_megabyte_line_is_wrapped_into_bounded_lines() {
        TerminalRenderer r = renderer(RenderOptions.defaults());
        byte[] chunk = "x".repeat(1 << 20).getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 100; i++) {
            r.write(chunk);
        }
        r.finish();
        assertThat(lines).hasSize(100 * (1 << 20) / 65_536);
        assertThat(lines).allSatisfy(l -> assertThat(l.html()).hasSize(65_536));
    }

    @Test
    void stylesheet_has_a_rule_for_every_colour_class() {
        String css = TerminalCss.stylesheet();
        assertThat(css).contains(".term-fg-0{color:var(--term-0)}", ".term-bg-255{background:#eeeeee}",
                ".term-fg-208{color:#ff8700}", ".term-bold{");
    }
}
