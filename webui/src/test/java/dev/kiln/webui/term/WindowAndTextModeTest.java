package dev.kiln.webui.term;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The renderer's modes for a window of rows and for search, and the times lines carry. */
class WindowAndTextModeTest {
    static final String LOG = "one\n\u001b[31mre\u001b[0md two\nbar 10%\rbar 100%\n::group::Setup\ninside\n::endgroup::\nlast\n";

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void text_mode_gives_each_line_as_shown_numbered_as_the_html_rows() {
        List<String> seen = new ArrayList<>();
        TerminalRenderer r = TerminalRenderer.text(RenderOptions.defaults(), (n, text, t) -> seen.add(n + ":" + text));
        r.write(b(LOG));
        r.finish();
        List<RenderedLine> html = TerminalRenderer.render(LOG);
        assertThat(seen).hasSize(html.size()).containsExactly("1:one", "2:red two", "3:bar 100%", "4:Setup", "5:inside",
                "6:", "7:last");   // a marker shows its title only, as on the page
        assertThat(html.get(3).number()).isEqualTo(4);
    }

    @Test
    void a_window_gets_only_its_rows_with_the_numbers_and_groups_of_a_full_render() {
        List<RenderedLine> rows = new ArrayList<>();
        TerminalRenderer r = new TerminalRenderer(RenderOptions.defaults(), n -> n >= 4 && n <= 5, rows::add);
        r.write(b(LOG));
        r.finish();
        assertThat(rows).extracting(RenderedLine::number).containsExactly(4L, 5L);
        assertThat(rows).isEqualTo(TerminalRenderer.render(LOG).subList(3, 5));
        assertThat(rows.get(0).groups()).isNotEmpty();
    }

    @Test
    void a_line_takes_the_time_of_the_chunk_that_printed_its_first_character() {
        List<RenderedLine> rows = new ArrayList<>();
        TerminalRenderer r = new TerminalRenderer(rows::add);
        r.write(b("a\nb"), 0, 3, 1_000);
        r.write(b("c\nd\n"), 0, 4, 2_000);
        r.finish();
        assertThat(rows).extracting(RenderedLine::timeMillis).containsExactly(1_000L, 1_000L, 2_000L);
        assertThat(TerminalRenderer.render("x\n").get(0).timeMillis()).isEqualTo(-1);
    }
}
