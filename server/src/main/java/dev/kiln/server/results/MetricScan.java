package dev.kiln.server.results;

import dev.kiln.spec.metrics.MetricLines;
import dev.kiln.spec.metrics.MetricsReport;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Finds the {@code ::metric} lines in a log fed to it in pieces, cut anywhere: only a line that
 * starts (after blanks) with {@code ::metric } is copied and decoded; the rest of every other line
 * is skipped by looking for its line break alone, so the scan costs little more than reading the
 * bytes. Not thread-safe.
 */
final class MetricScan {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
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
                i = nextBreak(buf, i, end);
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

    /**
     * Where the next line break is in {@code b[i, end)}, or {@code end}: eight bytes at a time, as
     * nearly every byte of a log is skipped here (the scan runs over every byte a step writes).
     */
    static int nextBreak(byte[] b, int i, int end) {
        while (i + 8 <= end) {
            long w = (long) LONGS.get(b, i) ^ 0x0A0A0A0A0A0A0A0AL;   // a '\n' byte becomes 0
            // Sets the top bit of each byte that is 0; the lowest such is exact (a false one only follows a true one).
            long zero = (w - 0x0101010101010101L) & ~w & 0x8080808080808080L;
            if (zero != 0) {
                return i + (Long.numberOfTrailingZeros(zero) >>> 3);
            }
            i += 8;
        }
        while (i < end && b[i] != '\n') {
            i++;
        }
        return i;
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
