package dev.kiln.server.results;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.server.logs.LogStore;
import dev.kiln.spec.metrics.Metric;
import dev.kiln.spec.metrics.MetricsReport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
}
