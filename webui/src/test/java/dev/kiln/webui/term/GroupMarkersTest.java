package dev.kiln.webui.term;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.webui.term.GroupEvent.End;
import dev.kiln.webui.term.GroupEvent.Marker;
import dev.kiln.webui.term.GroupEvent.Start;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Group markers of GitHub, GitLab and Buildkite become start and end events on their lines. */
class GroupMarkersTest {

    @Test
    void github_group_header_shows_its_title_and_endgroup_closes_it() {
        List<RenderedLine> lines = TerminalRenderer.render("::group::Install deps\nnpm ci\n::endgroup::\nafter\n");
        assertThat(lines).extracting(RenderedLine::html).containsExactly("Install deps", "npm ci", "", "after");
        assertThat(lines.get(0).groups()).containsExactly(new Start("Install deps", false, Marker.GITHUB));
        assertThat(lines.get(2).groups()).containsExactly(new End(1, Optional.empty()));
        assertThat(lines.get(1).groups()).isEmpty();
    }

    @Test
    void github_group_duration_comes_from_the_times_of_the_chunks() {
        List<RenderedLine> lines = new ArrayList<>();
        TerminalRenderer r = new TerminalRenderer(lines::add);
        write(r, "::group::Build\n", 1_000);
        write(r, "compiling\n", 2_000);
        write(r, "::endgroup::\n", 4_500);
        r.finish();
        assertThat(lines.get(2).groups()).containsExactly(new End(1, Optional.of(Duration.ofMillis(3_500))));
    }

    @Test
    void a_second_github_group_ends_the_first() {
        List<RenderedLine> lines = TerminalRenderer.render("::group::a\nx\n::group::b\ny\n");
        assertThat(lines.get(2).groups()).containsExactly(new End(1, Optional.empty()), new Start("b", false, Marker.GITHUB));
    }

    @Test
    void endgroup_without_a_group_is_text() {
        assertThat(TerminalRenderer.render("::endgroup::\n")).singleElement()
                .satisfies(l -> assertThat(l.html()).isEqualTo("::endgroup::"))
                .satisfies(l -> assertThat(l.groups()).isEmpty());
    }

    @Test
    void coloured_github_marker_is_still_a_marker() {
        List<RenderedLine> lines = TerminalRenderer.render("\u001b[36m::group::\u001b[1mTests\u001b[0m\n");
        assertThat(lines.get(0).html()).isEqualTo("<span class=\"term-fg-6 term-bold\">Tests</span>");
        assertThat(lines.get(0).groups()).containsExactly(new Start("Tests", false, Marker.GITHUB));
    }

    @Test
    void gitlab_section_as_documented_with_erase_and_header() {
        String log = "\u001b[0Ksection_start:1560896352:my_first_section\r\u001b[0KHeader of the 1st collapsible section\n"
                + "this line should be hidden when collapsed\n"
                + "\u001b[0Ksection_end:1560896353:my_first_section\r\u001b[0K\n";
        List<RenderedLine> lines = TerminalRenderer.render(log);
        assertThat(lines).extracting(RenderedLine::html)
                .containsExactly("Header of the 1st collapsible section", "this line should be hidden when collapsed", "");
        assertThat(lines.get(0).groups()).containsExactly(new Start("my_first_section", true, Marker.GITLAB));
        assertThat(lines.get(2).groups()).containsExactly(new End(1, Optional.of(Duration.ofSeconds(1))));
    }

    @Test
    void gitlab_collapsed_option_and_marker_text_hidden_without_erase() {
        List<RenderedLine> lines = TerminalRenderer.render("section_start:100:build[collapsed=true]\nx\nsection_end:160:build\n");
        assertThat(lines).extracting(RenderedLine::html).containsExactly("", "x", "");
        assertThat(lines.get(0).groups()).containsExactly(new Start("build", false, Marker.GITLAB));
        assertThat(lines.get(2).groups()).containsExactly(new End(1, Optional.of(Duration.ofMinutes(1))));
    }

    @Test
    void gitlab_sections_nest_and_ending_the_outer_ends_the_inner() {
        String log = "section_start:1:outer\r\u001b[0KOuter\nsection_start:2:inner\r\u001b[0KInner\nbody\n"
                + "section_end:5:outer\r\u001b[0K\n";
        List<RenderedLine> lines = TerminalRenderer.render(log);
        assertThat(lines.get(3).groups()).containsExactly(
                new End(2, Optional.of(Duration.ofSeconds(3))), new End(1, Optional.of(Duration.ofSeconds(4))));
    }

    @Test
    void gitlab_end_of_an_unknown_section_is_ignored() {
        List<RenderedLine> lines = TerminalRenderer.render("section_end:5:nothing\r\u001b[0Kx\n");
        assertThat(lines).singleElement().satisfies(l -> assertThat(l.groups()).isEmpty());
    }

    @Test
    void buildkite_headers_open_groups_each_ending_the_last() {
        List<RenderedLine> lines = TerminalRenderer.render("--- :package: Build\nmake\n+++ Tests\nok\n~~~ Cleanup\n");
        assertThat(lines).extracting(RenderedLine::html).containsExactly(":package: Build", "make", "Tests", "ok", "Cleanup");
        assertThat(lines.get(0).groups()).containsExactly(new Start(":package: Build", false, Marker.BUILDKITE));
        assertThat(lines.get(2).groups()).containsExactly(new End(1, Optional.empty()), new Start("Tests", true, Marker.BUILDKITE));
        assertThat(lines.get(4).groups()).containsExactly(new End(3, Optional.empty()), new Start("Cleanup", false, Marker.BUILDKITE));
    }

    @Test
    void buildkite_markers_can_be_turned_off_for_logs_of_diffs() {
        List<RenderedLine> lines = new ArrayList<>();
        TerminalRenderer r = new TerminalRenderer(
                RenderOptions.defaults().withMarkers(EnumSet.of(Marker.GITHUB, Marker.GITLAB)), lines::add);
        r.write("--- a/file.txt\n+++ b/file.txt\n".getBytes(StandardCharsets.UTF_8));
        r.finish();
        assertThat(lines).extracting(RenderedLine::html).containsExactly("--- a/file.txt", "+++ b/file.txt");
        assertThat(lines).allSatisfy(l -> assertThat(l.groups()).isEmpty());
    }

    @Test
    void group_name_is_plain_text_and_title_is_escaped() {
        List<RenderedLine> lines = TerminalRenderer.render("::group::<img src=x onerror=alert(1)>\n");
        assertThat(lines.get(0).html()).isEqualTo("&lt;img src=x onerror=alert(1)&gt;");
        assertThat(((Start) lines.get(0).groups().get(0)).name()).isEqualTo("<img src=x onerror=alert(1)>");
    }

    @Test
    void thousands_of_unclosed_gitlab_sections_stay_bounded() {
        StringBuilder log = new StringBuilder();
        for (int i = 0; i < 5_000; i++) {
            log.append("section_start:1:s").append(i).append("\r\u001b[0Kx\n");
        }
        List<RenderedLine> lines = TerminalRenderer.render(log.toString());
        long starts = lines.stream().flatMap(l -> l.groups().stream()).filter(Start.class::isInstance).count();
        assertThat(starts).isEqualTo(GroupTracker.MAX_GITLAB_DEPTH);
    }

    private static void write(TerminalRenderer r, String s, long time) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        r.write(b, 0, b.length, time);
    }
}
