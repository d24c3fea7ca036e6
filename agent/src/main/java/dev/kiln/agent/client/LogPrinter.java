package dev.kiln.agent.client;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Prints step logs as raw bytes, each line after its step's prefix, into one large buffer that goes
 * out when full or on {@link #flush}: no per-line String, charset or flush, so a 200 MB log prints at
 * the speed of a copy even on the CLI's C1-only JIT. Lines of concurrent steps interleave only at line
 * ends: each step's unfinished line waits in its own buffer until its newline or {@link #endStep}.
 * Not thread-safe: one thread prints.
 */
public final class LogPrinter {
    private static final int BUFFER = 1 << 20;
    /** A line longer than this is written before its end, so that a log with no newline does not fill memory. */
    private static final int LONGEST_HELD = 1 << 20;

    private final OutputStream out;
    private final byte[] buf = new byte[BUFFER];
    private int pos;
    private final Map<Integer, Held> held = new HashMap<>();
    /** The step whose long line is written up to here but not ended yet, or -1. */
    private int open = -1;

    private static final class Held {
        byte[] bytes = new byte[256];
        int len;

        void add(byte[] b, int off, int n) {
            if (len + n > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, len + n));
            }
            System.arraycopy(b, off, bytes, len, n);
            len += n;
        }
    }

    private LogPrinter(OutputStream out) {
        this.out = out;
    }

    /**
     * A printer over {@code target}; standard output is written through its file descriptor, bypassing
     * {@code System.out}'s flush per line. What {@code target} holds is flushed first, so order is kept.
     */
    public static LogPrinter over(PrintStream target) {
        target.flush();
        return new LogPrinter(target == System.out ? new FileOutputStream(FileDescriptor.out) : target);
    }

    /** Prints a line of Kiln's own (Starting, Finished, a status). */
    public void line(String text) throws IOException {
        closeOpen();
        byte[] b = (text + "\n").getBytes(StandardCharsets.UTF_8);
        put(b, 0, b.length);
    }

    /** Prints {@code n} bytes of a step's log: each complete line after {@code prefix}; an unfinished one waits. */
    public void log(int step, byte[] prefix, byte[] b, int off, int n) throws IOException {
        int end = off + n;
        int i = off;
        while (i < end) {
            int nl = i;
            while (nl < end && b[nl] != '\n') {
                nl++;
            }
            if (nl == end) {
                hold(step, prefix, b, i, end - i);
                return;
            }
            // A complete line, with its newline.
            int len = nl + 1 - i;
            if (open == step) {
                put(b, i, len);
                open = -1;
            } else {
                closeOpen();
                put(prefix, 0, prefix.length);
                Held h = held.get(step);
                if (h != null && h.len > 0) {
                    put(h.bytes, 0, h.len);
                    h.len = 0;
                }
                put(b, i, len);
            }
            i = nl + 1;
        }
    }

    private void hold(int step, byte[] prefix, byte[] b, int off, int n) throws IOException {
        if (open == step) {
            put(b, off, n);
            return;
        }
        Held h = held.computeIfAbsent(step, k -> new Held());
        h.add(b, off, n);
        if (h.len > LONGEST_HELD) {
            closeOpen();
            put(prefix, 0, prefix.length);
            put(h.bytes, 0, h.len);
            h.len = 0;
            open = step;
        }
    }

    /** The step is over: its last line, if it had no newline, is printed with one. */
    public void endStep(int step, byte[] prefix) throws IOException {
        if (open == step) {
            closeOpen();
            return;
        }
        Held h = held.remove(step);
        if (h != null && h.len > 0) {
            closeOpen();
            put(prefix, 0, prefix.length);
            put(h.bytes, 0, h.len);
            put(new byte[] {'\n'}, 0, 1);
        }
    }

    /** Ends a long line left open, so that what follows starts on a line of its own. */
    private void closeOpen() throws IOException {
        if (open >= 0) {
            open = -1;
            put(new byte[] {'\n'}, 0, 1);
        }
    }

    private void put(byte[] b, int off, int n) throws IOException {
        if (n > buf.length - pos) {
            drain();
            if (n >= buf.length) {
                out.write(b, off, n);
                return;
            }
        }
        System.arraycopy(b, off, buf, pos, n);
        pos += n;
    }

    private void drain() throws IOException {
        if (pos > 0) {
            out.write(buf, 0, pos);
            pos = 0;
        }
    }

    /** Writes out what is buffered: when the log is caught up, at a step's end, at the end. */
    public void flush() throws IOException {
        drain();
        out.flush();
    }
}
