package dev.kiln.webui.term;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * Random bytes and random escape soup, seeded so a failure can be replayed: the renderer never
 * throws, every line is well-formed HTML with no markup from the input, lines are numbered
 * 1, 2, 3..., and hostile patterns cost time linear in their size.
 */
class FuzzTest {
    private static final String[] SOUP = {
        "\u001b[", "\u001b]", "\u001b]8;;", "\u001b]8;;http://x.test/", "\u001b]8;;javascript:x", "\u001b\\", "\u0007",
        "\u001bP", "\u001b_", "\u001b(", "\u001b7", "\u001b8", "\u001bM", "\u001bc", "\u001b", ";", ":", "?", "38;5;",
        "38;2;", "48;2;1;2;3", "999999", "0", "1", "7", "m", "K", "1K", "2K", "J", "2J", "A", "B", "C", "D", "G", "H", "s",
        "u", "65535", "\r", "\n", "\b", "\t", "<", ">", "&", "\"", "'", "<script>", "é", "🚀", "\u00ff", "\u0085",
        "section_start:1:a", "section_end:2:a", "[collapsed=true]", "::group::", "::endgroup::", "--- ", "+++ ", "~~~ ",
        "text", " ",
    };

    @Test
    void random_bytes_never_break_the_renderer() {
        Random random = new Random(20261127);
        for (int i = 0; i < 5_000; i++) {
            byte[] log = new byte[random.nextInt(600)];
            random.nextBytes(log);
            checkRendering(log, random, "random bytes #" + i);
        }
    }

    @Test
    void random_escape_soup_never_breaks_the_renderer() {
        Random random = new Random(7);
        for (int i = 0; i < 5_000; i++) {
            StringBuilder s = new StringBuilder();
            int pieces = random.nextInt(200);
            for (int p = 0; p < pieces; p++) {
                s.append(SOUP[random.nextInt(SOUP.length)]);
            }
            checkRendering(s.toString().getBytes(StandardCharsets.UTF_8), random, "soup #" + i);
        }
    }

    private static void checkRendering(byte[] log, Random random, String what) {
        List<RenderedLine> lines = new ArrayList<>();
        // A small window and line cap so the limits are reached often.
        RenderOptions options = RenderOptions.defaults().withWindowLines(1 + random.nextInt(8)).withMaxLineLength(16 + random.nextInt(64));
        TerminalRenderer r = new TerminalRenderer(options, lines::add);
        int from = 0;
        while (from < log.length) {
            int n = Math.min(log.length - from, 1 + random.nextInt(64));
            r.write(log, from, n);
            from += n;
            for (RenderedLine pending : r.pending()) {
                HtmlChecks.assertWellFormed(pending.html());
            }
        }
        r.finish();
        for (int i = 0; i < lines.size(); i++) {
            assertThat(lines.get(i).number()).as(what).isEqualTo(i + 1L);
            HtmlChecks.assertWellFormed(lines.get(i).html());
        }
    }

    /** Hostile patterns, each repeated to the size asked for. */
    static final List<IntFunction<byte[]>> ADVERSARIES = List.of(
            n -> repeat("x".repeat(1000) + "\r", n),                                  // CR over a long line
            n -> repeat("\u001b[60000G\u001b[1K\rab\u001b[65535C\u001b[1Kc", n),       // erase-left thrash
            n -> repeat("a\n".repeat(100) + "\u001b[100A\u001b[100B", n),           // cursor up/down across the window
            n -> repeat("\u001b[65535Cx\n", n),                                       // far cursor moves
            n -> repeat("\u001b[" + "1;".repeat(5000) + "m", n),                       // huge parameter lists
            n -> repeat("\u001b]8;;http://" + "a".repeat(10_000), n),               // unterminated OSC
            n -> repeat("section_start:1:s\r\u001b[0K::group::g\n", n),                 // unclosed groups
            n -> repeat("\u001b[1J\u001b[Jx\n\u001b[2A", n),                          // erase display
            n -> repeat("y".repeat(70_000), n));                                      // lines past the cap

    @Test
    void hostile_input_takes_linear_time() {
        int small = 500_000;
        for (int i = 0; i < ADVERSARIES.size(); i++) {
            byte[] n1 = ADVERSARIES.get(i).apply(small);
            byte[] n4 = ADVERSARIES.get(i).apply(4 * small);
            time(n1); // warm up
            // Best of five, N and 4N taken in turns: a burst of load on a shared machine slows one try of
            // each rather than all tries of one size.
            long t1 = Long.MAX_VALUE;
            long t4 = Long.MAX_VALUE;
            for (int k = 0; k < 5; k++) {
                t1 = Math.min(t1, time(n1));
                t4 = Math.min(t4, time(n4));
            }
            t1 = Math.max(t1, 1_000_000); // at least 1 ms, so noise in tiny times is not a ratio
            assertThat((double) t4 / t1).as("adversary %d: %d ns for N, %d ns for 4N", i, t1, t4).isLessThan(10.0);
        }
    }

    private static long time(byte[] log) {
        long[] chars = new long[1];
        TerminalRenderer r = new TerminalRenderer(line -> chars[0] += line.html().length());
        long start = System.nanoTime();
        for (int i = 0; i < log.length; i += 65_536) {
            r.write(log, i, Math.min(65_536, log.length - i));
        }
        r.finish();
        return System.nanoTime() - start;
    }

    static byte[] repeat(String unit, int size) {
        byte[] u = unit.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[size];
        for (int i = 0; i < size; i++) {
            out[i] = u[i % u.length];
        }
        return out;
    }
}
