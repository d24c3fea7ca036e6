package dev.kiln.agent.run;

import java.io.IOException;
import java.io.InputStream;

/**
 * Copies a step's output to its {@link StepLog}: coalesces what is ready into one chunk, splits
 * lines longer than {@link #MAX_LINE} bytes, and applies the build's {@link LogBudget}.
 */
final class LogPump {
    static final int MAX_LINE = 1 << 20;
    private static final int CHUNK = 1 << 20;

    private final StepLog log;
    private final LogBudget budget;
    private int lineLength;
    private byte[] ring;
    private long ringWritten;
    private long omitted;

    LogPump(StepLog log, LogBudget budget) {
        this.log = log;
        this.budget = budget;
    }

    void pump(InputStream in) throws IOException {
        byte[] buf = new byte[CHUNK];
        byte[] out = new byte[CHUNK + CHUNK / MAX_LINE + 2];
        int n;
        while ((n = in.read(buf, 0, buf.length)) > 0) {
            int filled = n;
            // Take what else is already waiting, so a chatty step sends few large chunks.
            while (filled < buf.length && in.available() > 0) {
                int more = in.read(buf, filled, Math.min(in.available(), buf.length - filled));
                if (more <= 0) {
                    break;
                }
                filled += more;
            }
            if (fitsWhole(buf, filled)) {
                emit(buf, filled);
            } else {
                emit(out, splitLongLines(buf, filled, out));
            }
        }
        finish();
    }

    /**
     * True when no line in {@code in[0, n)} goes past {@link #MAX_LINE}, which then need not be
     * copied: only its first and last lines are looked at, as every line between is shorter than a
     * chunk ({@code n <= MAX_LINE}). Keeps {@link #lineLength} when it returns true.
     */
    private boolean fitsWhole(byte[] in, int n) {
        if (n > MAX_LINE) {
            return false;
        }
        int first = 0;
        while (first < n && in[first] != '\n') {
            first++;
        }
        if (first == n) {
            if ((long) lineLength + n > MAX_LINE) {
                return false;
            }
            lineLength += n;
            return true;
        }
        if (lineLength + first > MAX_LINE) {
            return false;
        }
        int last = n - 1;
        while (in[last] != '\n') {
            last--;
        }
        lineLength = n - 1 - last;
        return true;
    }

    private int splitLongLines(byte[] in, int n, byte[] out) {
        int o = 0;
        for (int i = 0; i < n; i++) {
            byte b = in[i];
            if (b == '\n') {
                lineLength = 0;
            } else if (lineLength == MAX_LINE) {
                // Break only when the line goes on: one of exactly MAX_LINE bytes stays whole.
                out[o++] = '\n';
                lineLength = 1;
            } else {
                lineLength++;
            }
            out[o++] = b;
        }
        return o;
    }

    private void emit(byte[] data, int len) throws IOException {
        int head = ring == null ? budget.claim(len) : 0;
        if (head > 0) {
            log.write(data, 0, head);
        }
        if (head < len) {
            keepTail(data, head, len - head);
        }
    }

    private void keepTail(byte[] data, int off, int len) {
        if (ring == null) {
            ring = new byte[Math.max(1, budget.tailSize())];
        }
        for (int i = 0; i < len; i++) {
            ring[(int) (ringWritten++ % ring.length)] = data[off + i];
        }
    }

    private void finish() throws IOException {
        if (ring == null) {
            return;
        }
        int kept = (int) Math.min(ringWritten, ring.length);
        omitted = ringWritten - kept;
        log.write("\n[kiln] log cap reached: " + omitted + " bytes left out; the last " + kept + " bytes follow\n");
        int start = (int) ((ringWritten - kept) % ring.length);
        byte[] tail = new byte[kept];
        for (int i = 0; i < kept; i++) {
            tail[i] = ring[(start + i) % ring.length];
        }
        log.write(tail, 0, kept);
    }
}
