package dev.kiln.server.results;

import dev.kiln.server.logs.LogStore;
import dev.kiln.server.store.BuildStore;
import dev.kiln.server.store.StepRun;
import dev.kiln.spec.metrics.MetricsReport;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Records the {@code ::metric name=value} lines of a step's output once the step has passed, from
 * the log as stored, just before the step is marked finished.
 *
 * <p>From the bytes the log store stores, as it stores them ({@link LogStore.Stored}): each byte
 * once, in order, a resent chunk's bytes skipped by offset, so a line cannot count twice; and the
 * step's end need not read a log of gigabytes again. A log not followed from its first byte (the
 * server restarted while the step ran) is read whole at the step's end instead. The metrics are
 * recorded only while the step is not yet final, under a per-step lock that also covers marking it
 * final, so a resent {@code stepFinished} finds it final and records nothing; and its rows replace
 * that step's earlier ones, so even a repeated scan gives the same metrics. Warnings are appended
 * to the step's log before it is final, so a reader who saw it end sees them.
 */
public final class LogMetrics {
    private final LogStore logs;
    private final BuildStore store;
    private final BuildMetrics metrics;
    private final Object[] locks = new Object[64];
    /**
     * Steps followed at most: far more than are ever written at once. An entry a build's end did not
     * clear (a notice written to an empty log after it) stays; past this many, steps are read whole.
     */
    static final int MAX_FOLLOWED = 4096;
    /** Per step being written: the scan of its log so far, and the offset it has reached. */
    private final Map<String, Live> live = new ConcurrentHashMap<>();

    private static final class Live {
        final MetricScan scan = new MetricScan();
        long next;
    }

    public LogMetrics(LogStore logs, BuildStore store, BuildMetrics metrics) {
        this.logs = logs;
        this.store = store;
        this.metrics = metrics;
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new Object();
        }
        logs.onStored(this::stored);
    }

    /** What marks the step finished; runs whatever happened to the metrics. */
    public interface Finish {
        void run() throws IOException;
    }

    /** For a step that passed: records its metric lines, then runs {@code finish}, one step at a time. */
    public void thenFinish(String buildId, int step, Finish finish) throws IOException {
        synchronized (locks[Math.floorMod(buildId.hashCode() * 31 + step, locks.length)]) {
            MetricsReport followed = takeLive(buildId, step);
            Optional<StepRun> row = store.stepRun(buildId, step);
            if (row.isPresent() && !row.get().status().isFinal()) {
                MetricsReport report = followed != null ? followed : scan(buildId, step);
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

    /** Reads the step's stored log whole (the server did not see all of it stored: it restarted meanwhile). */
    MetricsReport scan(String buildId, int step) throws IOException {
        MetricScan scan = new MetricScan();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = logs.open(buildId, step, 0)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                scan.feed(buf, 0, n);
            }
        }
        return scan.report();
    }

    /** Scans bytes as the log store stores them (see {@link LogStore.Stored}). */
    private void stored(String buildId, int step, long at, byte[] data, int off, int len) {
        String key = key(buildId, step);
        Live l = at != 0 ? live.get(key) : live.size() < MAX_FOLLOWED ? new Live() : null;
        if (l == null) {
            live.remove(key);   // a log begun again past the limit must not be taken for the one followed
            return;
        }
        if (at == 0) {
            live.put(key, l);
        }
        synchronized (l) {
            if (l.next != at) {
                live.remove(key, l);   // not followed from the start: the step's end reads the log whole
                return;
            }
            try {
                l.scan.feed(data, off, len);
                l.next += len;
            } catch (RuntimeException e) {
                live.remove(key, l);
            }
        }
    }

    /** What the scan as the log was stored found, if it saw every byte of the log as it is now; else null. */
    MetricsReport takeLive(String buildId, int step) {
        Live l = live.remove(key(buildId, step));
        if (l == null) {
            return null;
        }
        synchronized (l) {
            return l.next == logs.size(buildId, step) ? l.scan.report() : null;
        }
    }

    /** A step that did not pass: its metrics are not read, so its scan is dropped. */
    public void forget(String buildId, int step) {
        live.remove(key(buildId, step));
    }

    /** A build that ended: the scans of steps that never finished are dropped. */
    public void buildEnded(String buildId) {
        live.keySet().removeIf(k -> k.startsWith(buildId + "#"));
    }

    private static String key(String buildId, int step) {
        return buildId + "#" + step;
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
