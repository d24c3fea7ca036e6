package dev.kiln.server.results;

import dev.kiln.server.logs.LogStore;
import dev.kiln.server.store.BuildStore;
import dev.kiln.server.store.StepRun;
import dev.kiln.spec.metrics.MetricLines;
import dev.kiln.spec.metrics.MetricsReport;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Records the {@code ::metric name=value} lines of a step's output once the step has passed, from
 * the log as stored, just before the step is marked finished.
 *
 * <p>Why then and from there: the stored log holds each byte once (an agent's resent chunk is
 * skipped by offset, see {@link LogStore#append}), so reading it whole cannot count a line twice,
 * where parsing chunks as they arrive would have to remember partial lines and which chunk was a
 * resend. The scan runs only while the step is not yet final, under a per-step lock that also
 * covers marking it final, so a resent {@code stepFinished} finds it final and scans nothing; and
 * its rows replace that step's earlier ones, so even a repeated scan gives the same metrics.
 * Warnings are appended to the step's log before it is final, so a reader who saw it end sees them.
 */
public final class LogMetrics {
    private final LogStore logs;
    private final BuildStore store;
    private final BuildMetrics metrics;
    private final Object[] locks = new Object[64];

    public LogMetrics(LogStore logs, BuildStore store, BuildMetrics metrics) {
        this.logs = logs;
        this.store = store;
        this.metrics = metrics;
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new Object();
        }
    }

    /** What marks the step finished; runs whatever happened to the metrics. */
    public interface Finish {
        void run() throws IOException;
    }

    /** For a step that passed: records its metric lines, then runs {@code finish}, one step at a time. */
    public void thenFinish(String buildId, int step, Finish finish) throws IOException {
        synchronized (locks[Math.floorMod(buildId.hashCode() * 31 + step, locks.length)]) {
            Optional<StepRun> row = store.stepRun(buildId, step);
            if (row.isPresent() && !row.get().status().isFinal()) {
                MetricsReport report = scan(buildId, step);
                metrics.replace(buildId, step, BuildMetrics.Source.LOG, report);
                if (!report.warnings().isEmpty()) {
                    StringBuilder notice = new StringBuilder(endsWithNewline(buildId, step) ? "" : "\n");
                    for (String w : report.warnings()) {
                        notice.append("[kiln] warning: ").append(w).append('\n');
                    }
                    logs.appendNotice(buildId, step, notice.toString());
                }
            }
            finish.run();
        }
    }

    /**
     * Reads the step's stored log line by line. Only a line that starts (after blanks) with
     * {@code ::metric } is copied and decoded; the rest of every other line is skipped by looking
     * for its line break alone, so the scan costs little more than reading the file.
     */
    MetricsReport scan(String buildId, int step) throws IOException {
        MetricLines lines = new MetricLines();
        byte[] prefix = MetricLines.PREFIX.getBytes(StandardCharsets.US_ASCII);
        byte[] line = new byte[MetricLines.MAX_LINE];
        int len = 0;          // bytes of the current line kept in 'line'
        int matched = 0;      // bytes of the prefix matched so far
        boolean skipping = false;
        long number = 1;
        byte[] buf = new byte[1 << 16];
        try (InputStream in = logs.open(buildId, step, 0)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                int i = 0;
                while (i < n) {
                    if (skipping) {
                        while (i < n && buf[i] != '\n') {
                            i++;
                        }
                        if (i == n) {
                            break;
                        }
                        skipping = false;
                    }
                    byte b = buf[i++];
                    if (b == '\n') {
                        if (matched == prefix.length) {
                            lines.line(new String(line, 0, len, StandardCharsets.UTF_8), number);
                        }
                        number++;
                        len = 0;
                        matched = 0;
                        continue;
                    }
                    if (len == line.length) {
                        skipping = true;     // too long to be a metric line
                    } else if (matched == prefix.length) {
                        line[len++] = b;
                    } else if (matched == 0 && (b == ' ' || b == '\t')) {
                        line[len++] = b;
                    } else if (b == prefix[matched]) {
                        line[len++] = b;
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
        }
        if (!skipping && matched == prefix.length) {
            lines.line(new String(line, 0, len, StandardCharsets.UTF_8), number);
        }
        return lines.report();
    }

    private boolean endsWithNewline(String buildId, int step) throws IOException {
        long size = logs.size(buildId, step);
        if (size == 0) {
            return true;
        }
        byte[] last = logs.read(buildId, step, size - 1, 1);
        return last.length == 1 && last[0] == '\n';
    }
}
