package dev.kiln.server.results;

import dev.kiln.spec.metrics.MetricLines;
import dev.kiln.spec.metrics.MetricsReport;
import java.nio.charset.StandardCharsets;

/**
 * Finds the {@code ::metric} lines in a log fed to it in pieces, cut anywhere: only a line that
 * starts (after blanks) with {@code ::metric } is copied and decoded; the rest of every other line
 * is skipped by looking for its line break alone, so the scan costs little more than reading the
 * bytes. Not thread-safe.
 */
final class MetricScan {
    private static final byte[] PREFIX = MetricLines.PREFIX.getBytes(StandardCharsets.US_ASCII);

    private final MetricLines lines = new MetricLines();
    private byte[] line;      // made at the first line that may be a metric line: most logs never need it
    private int len;          // bytes of the current line kept in 'line'
    private int matched;      // bytes of the prefix matched so far
    private boolean skipping;
    private long number = 1;

    void feed(byte[] buf, int off, int n) {
        int i = off;
        int end = off + n;
        while (i < end) {
            if (skipping) {
                while (i < end && buf[i] != '\n') {
                    i++;
                }
                if (i == end) {
                    break;
                }
                skipping = false;
            }
            byte b = buf[i++];
            if (b == '\n') {
                if (matched == PREFIX.length) {
                    lines.line(new String(line, 0, len, StandardCharsets.UTF_8), number);
                }
                number++;
                len = 0;
                matched = 0;
                continue;
            }
            if (len == MetricLines.MAX_LINE) {
                skipping = true;     // too long to be a metric line
            } else if (matched == PREFIX.length) {
                keep(b);
            } else if (matched == 0 && (b == ' ' || b == '\t')) {
                keep(b);
            } else if (b == PREFIX[matched]) {
                keep(b);
                matched++;
            } else {
                skipping = true;
            }
            if (skipping) {
                len = 0;
                matched = 0;
            }
        }
    }

    private void keep(byte b) {
        if (line == null) {
            line = new byte[MetricLines.MAX_LINE];
        }
        line[len++] = b;
    }

    /** What was found, the last line counted even without a line break. Call once, after the last {@link #feed}. */
    MetricsReport report() {
        if (!skipping && matched == PREFIX.length) {
            lines.line(new String(line, 0, len, StandardCharsets.UTF_8), number);
        }
        return lines.report();
    }
}
