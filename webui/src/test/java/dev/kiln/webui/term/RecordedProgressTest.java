package dev.kiln.webui.term;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Progress output recorded from the real tools (tqdm 4.64 and pip 23.2's rich bar, both forced
 * to an 80-column terminal) or, for docker pull, written by a faithful copy of moby's
 * jsonmessage display loop (no Docker daemon was available): each ends as the frame a person
 * last saw, one line per bar.
 */
class RecordedProgressTest {

    static byte[] recording(String name) throws IOException {
        try (InputStream in = RecordedProgressTest.class.getResourceAsStream(name)) {
            return in.readAllBytes();
        }
    }

    /** The text after the last carriage return of the first line: what a terminal shows. */
    static String lastFrame(byte[] log) {
        String text = new String(log, StandardCharsets.UTF_8);
        String first = text.substring(0, text.indexOf('\n'));
        return first.substring(first.lastIndexOf('\r') + 1).replace("<", "&lt;");
    }

    @Test
    void tqdm_bar_ends_as_its_last_frame() throws IOException {
        byte[] log = recording("tqdm.bin");
        List<RenderedLine> lines = TerminalRenderer.render(log);
        assertThat(lines).extracting(RenderedLine::html).containsExactly(lastFrame(log), "done");
        assertThat(lines.get(0).html()).startsWith("train: 100%|").contains("50/50");
    }

    @Test
    void nested_tqdm_bars_redrawn_with_cursor_up_end_as_the_outer_bar() throws IOException {
        List<RenderedLine> lines = TerminalRenderer.render(recording("tqdm-nested.bin"));
        // The inner bar (leave=False) blanks its line and goes back up; "trained" then prints
        // over that blank line, as in the terminal.
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0).html()).startsWith("epoch: 100%|").contains("3/3");
        assertThat(lines.get(1).html()).isEqualTo("trained");
    }

    @Test
    void pip_download_bar_ends_as_its_last_frame_with_its_colours() throws IOException {
        List<RenderedLine> lines = TerminalRenderer.render(recording("pip.bin"));
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0).html())
                .startsWith("   <span class=\"term-fg-70\">━━━━━━━━")
                .contains("<span class=\"term-fg-2\">2.0/2.0 MB</span>")
                .contains("<span class=\"term-fg-1\">3.0 MB/s</span>")
                .contains("eta <span class=\"term-fg-6\">0:00:00</span>");
        assertThat(lines.get(1).html()).isEqualTo("Successfully installed demo-1.0");
    }

    @Test
    void docker_pull_layers_redrawn_in_place_end_as_one_line_each() throws IOException {
        List<RenderedLine> lines = TerminalRenderer.render(recording("docker.bin"));
        assertThat(lines).extracting(RenderedLine::html).containsExactly(
                "Using default tag: latest",
                "latest: Pulling from library/alpine",
                "3e731ddb7fc9: Pull complete",
                "47cafa6a79d0: Pull complete",
                "Digest: sha256:21a3deaa0d32a8057914f36584b5288d2e5ecc984380bc0118285c70fa8c9300",
                "Status: Downloaded newer image for alpine:latest");
    }
}
