package dev.kiln.server.results;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.server.logs.LogStore;
import dev.kiln.spec.metrics.Metric;
import dev.kiln.spec.metrics.MetricsReport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The end-of-step scan of a stored log: every metric line found once, wherever the read buffer cuts it. */
class LogMetricsScanTest {
    @TempDir Path tmp;

    private int builds;

    private MetricsReport scan(String log) throws Exception {
        LogStore logs = new LogStore(tmp.resolve("logs"));
        byte[] b = log.getBytes(StandardCharsets.UTF_8);
        String id = "b" + builds++;
        logs.append(id, 0, 0, b, 0, b.length);
        return new LogMetrics(logs, null, null).scan(id, 0);
    }

    @Test
    void lines_cut_by_the_read_buffer_long_lines_and_a_last_line_without_a_break() throws Exception {
        StringBuilder log = new StringBuilder();
        // Fill to just before the 64 KiB buffer's end, so the next metric line straddles it.
        String filler = "x".repeat(99) + "\n";
        while (log.length() + filler.length() < (1 << 16) - 5) {
            log.append(filler);
        }
        int fillerLines = log.length() / filler.length();
        log.append("::metric straddle=1.5\n");
        log.append("y".repeat(10_000)).append(" ::metric hidden=1\n");          // not at a line's start
        log.append("\t ::metric").append(" ".repeat(5_000)).append("far=1\n");  // past the longest metric line
        log.append("\n\n::metric:x=1\n");
        log.append("  ::metric last=2");                                        // no final line break

        MetricsReport r = scan(log.toString());

        assertThat(r.metrics()).containsExactly(new Metric("straddle", 1.5), new Metric("last", 2));
        assertThat(r.warnings()).isEmpty();
        assertThat(scan("a\n::metric bad=x\n").warnings()).containsExactly(
                "line 2: metric 'bad' is 'x', not a number; not recorded");
        assertThat(fillerLines).isGreaterThan(600);
    }

    @Test
    void the_scan_as_the_log_is_stored_finds_what_reading_it_whole_finds_however_it_is_cut_and_resent() throws Exception {
        LogStore logs = new LogStore(tmp.resolve("logs"));
        LogMetrics followed = new LogMetrics(logs, null, null);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 3000; i++) {
            text.append(i % 100 == 0 ? "  ::metric loss_" + i / 100 + "=" + i + "\n" : "epoch " + i + " of a long run\n");
        }
        text.append("::metric bad=x\n::metric last=7");
        byte[] log = text.toString().getBytes(StandardCharsets.UTF_8);
        Random random = new Random(5);
        long at = 0;
        while (at < log.length) {
            int len = (int) Math.min(1 + random.nextInt(300), log.length - at);
            logs.append("b", 0, at, log, (int) at, len);
            if (random.nextInt(4) == 0) {
                // A resend of what is stored already, partly or whole: skipped by offset, counted once.
                long from = Math.max(0, at - random.nextInt(50));
                logs.append("b", 0, from, log, (int) from, (int) (at + len - from));
            }
            at += len;
        }

        MetricsReport whole = followed.scan("b", 0);
        MetricsReport report = followed.takeLive("b", 0);

        assertThat(report).isEqualTo(whole);
        assertThat(report.metrics()).hasSize(31).contains(new Metric("loss_0", 0), new Metric("loss_29", 2900),
                new Metric("last", 7));
        assertThat(report.warnings()).containsExactly("line 3001: metric 'bad' is 'x', not a number; not recorded");
        assertThat(followed.takeLive("b", 0)).as("taken once").isNull();
    }

    @Test
    void a_log_not_seen_from_its_first_byte_is_not_reported_as_followed() throws Exception {
        LogStore logs = new LogStore(tmp.resolve("logs"));
        byte[] first = "::metric a=1\n".getBytes(StandardCharsets.UTF_8);
        byte[] rest = "::metric b=2\n".getBytes(StandardCharsets.UTF_8);
        logs.append("b", 0, 0, first, 0, first.length);
        // As after a restart: this one starts with the log half written.
        LogMetrics late = new LogMetrics(logs, null, null);
        logs.append("b", 0, first.length, rest, 0, rest.length);

        assertThat(late.takeLive("b", 0)).isNull();
        assertThat(late.scan("b", 0).metrics()).containsExactly(new Metric("a", 1), new Metric("b", 2));
    }

    @Test
    void the_next_line_break_is_found_wherever_it_is_in_a_word_of_eight_bytes() {
        Random random = new Random(9);
        for (int round = 0; round < 20_000; round++) {
            byte[] b = new byte[1 + random.nextInt(40)];
            for (int i = 0; i < b.length; i++) {
                // Bytes near '\n' (9, 11) and 0x8A/0x0B-like ones too, which a word trick could take for it.
                int pick = random.nextInt(8);
                b[i] = (byte) (pick == 0 ? '\n' : pick == 1 ? 0x8a : pick == 2 ? 0x0b : pick == 3 ? 0x09 : random.nextInt(256));
            }
            int from = random.nextInt(b.length + 1);
            int end = from + random.nextInt(b.length - from + 1);
            int expected = from;
            while (expected < end && b[expected] != '\n') {
                expected++;
            }
            assertThat(MetricScan.nextBreak(b, from, end)).as("round %d", round).isEqualTo(expected);
        }
    }

    @Test
    void past_the_most_steps_followed_at_once_a_log_is_read_whole_at_its_end() throws Exception {
        LogStore logs = new LogStore(tmp.resolve("logs"));
        LogMetrics metrics = new LogMetrics(logs, null, null);
        byte[] line = "::metric a=1\n".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < LogMetrics.MAX_FOLLOWED; i++) {
            logs.append("b" + i, 0, 0, line, 0, line.length);
        }
        logs.append("over", 0, 0, line, 0, line.length);

        assertThat(metrics.takeLive("over", 0)).isNull();
        assertThat(metrics.scan("over", 0).metrics()).containsExactly(new Metric("a", 1));
        assertThat(metrics.takeLive("b0", 0).metrics()).containsExactly(new Metric("a", 1));
    }
}
