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
    /** The most one append carries; the read-ahead ring holds two (one being sent, the next being read). */
    private final int chunk;
    private int lineLength;
    private byte[] ring;
    private long ringWritten;
    private long omitted;

    LogPump(StepLog log, LogBudget budget) {
        this(log, budget, CHUNK);
    }

    /** {@code chunk} at most {@link #MAX_LINE}; smaller in tests that need many chunks whatever the timing. */
    LogPump(StepLog log, LogBudget budget, int chunk) {
        if (chunk < 1 || chunk > MAX_LINE) {
            throw new IllegalArgumentException("chunk " + chunk + " is not in [1, " + MAX_LINE + "]");
        }
        this.log = log;
        this.budget = budget;
        this.chunk = chunk;
    }

    /**
     * Reads {@code in} to its end on a thread of its own (see {@link ReadAhead}) and sends it from the
     * caller's; returns when all of it is sent. On a failure to send the reading stops; the caller
     * closes {@code in} (or ends what writes it), which ends a read still waiting.
     */
    void pump(InputStream in) throws IOException {
        ReadAhead ahead = new ReadAhead(2 * chunk).start(in, "kiln-log-read");
        byte[] out = new byte[chunk + 2];   // a chunk with its one possible added line break
        try {
            ReadAhead.Slice s;
            while ((s = ahead.next(chunk)) != null) {
                if (fitsWhole(s.buf(), s.off(), s.len())) {
                    emit(s.buf(), s.off(), s.len());
                } else {
                    emit(out, 0, splitLongLines(s.buf(), s.off(), s.len(), out));
                }
                ahead.done(s.len());
            }
        } finally {
            ahead.stop();
        }
        finish();
    }

    /**
     * True when no line in {@code in[off, off + n)} goes past {@link #MAX_LINE}, which then need not be
     * copied: only its first and last lines are looked at, as every line between is shorter than a
     * chunk ({@code n <= MAX_LINE}). Keeps {@link #lineLength} when it returns true.
     */
    private boolean fitsWhole(byte[] in, int off, int n) {
        if (n > MAX_LINE) {
            return false;
        }
        int end = off + n;
        int first = off;
        while (first < end && in[first] != '\n') {
            first++;
        }
        if (first == end) {
            if ((long) lineLength + n > MAX_LINE) {
                return false;
            }
            lineLength += n;
            return true;
        }
        if (lineLength + first - off > MAX_LINE) {
            return false;
        }
        int last = end - 1;
        while (in[last] != '\n') {
            last--;
        }
        lineLength = end - 1 - last;
        return true;
    }

    private int splitLongLines(byte[] in, int off, int n, byte[] out) {
        int o = 0;
        for (int i = off; i < off + n; i++) {
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

    private void emit(byte[] data, int off, int len) throws IOException {
        int head = ring == null ? budget.claim(len) : 0;
        if (head > 0) {
            log.write(data, off, head);
        }
        if (head < len) {
            keepTail(data, off + head, len - head);
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
