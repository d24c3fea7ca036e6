package dev.kiln.webui.term;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A log cut into chunks anywhere, even inside a character or an escape, renders as the whole. */
class ChunkBoundaryTest {
    static final String SAMPLE = "plain <b>&amp;\n"
            + "\u001b[1;38;5;208mbold orange\u001b[0m \u001b[38;2;10;200;30mtrue\u001b[m é✓🚀\n"
            + "\u001b]8;id=x;https://example.com/ü?q=1\u001b\\link\u001b]8;;\u0007 after\n"
            + "\u001b]0;title\u0007 10%\r 50%\r\u001b[2K100%\r\n"
            + "one\ntwo\n\u001b[2A\u001b[Kuno\u001b[2B\n"
            + "\u001b[0Ksection_start:1700000000:sec[collapsed=true]\r\u001b[0KSection\nin\n"
            + "\u001b[0Ksection_end:1700000042:sec\r\u001b[0K\n"
            + "::group::Gh\nx\t|\b!\n::endgroup::\n--- Bk\n\u001b[?25l\u001b(Bend\u001bM";

    static List<RenderedLine> renderInChunks(byte[] log, int... cuts) {
        List<RenderedLine> lines = new ArrayList<>();
        TerminalRenderer r = new TerminalRenderer(lines::add);
        int from = 0;
        for (int cut : cuts) {
            r.write(log, from, cut - from);
            from = cut;
        }
        r.write(log, from, log.length - from);
        r.finish();
        return lines;
    }

    @Test
    void cut_at_every_byte_offset_renders_the_same() {
        byte[] log = SAMPLE.getBytes(StandardCharsets.UTF_8);
        List<RenderedLine> whole = TerminalRenderer.render(log);
        assertThat(whole).hasSizeGreaterThan(10);
        for (int cut = 0; cut <= log.length; cut++) {
            assertThat(renderInChunks(log, cut)).as("cut at %d", cut).isEqualTo(whole);
        }
    }

    @Test
    void fed_one_byte_at_a_time_renders_the_same() {
        byte[] log = SAMPLE.getBytes(StandardCharsets.UTF_8);
        int[] cuts = new int[log.length];
        for (int i = 0; i < log.length; i++) {
            cuts[i] = i;
        }
        assertThat(renderInChunks(log, cuts)).isEqualTo(TerminalRenderer.render(log));
    }

    @Test
    void cut_at_random_places_renders_the_same() {
        byte[] log = SAMPLE.getBytes(StandardCharsets.UTF_8);
        List<RenderedLine> whole = TerminalRenderer.render(log);
        Random random = new Random(42);
        for (int round = 0; round < 500; round++) {
            int[] cuts = random.ints(random.nextInt(20), 0, log.length + 1).sorted().toArray();
            assertThat(renderInChunks(log, cuts)).isEqualTo(whole);
        }
    }
}
