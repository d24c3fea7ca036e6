package dev.kiln.server.web;

import dev.kiln.server.logs.LogStore;
import dev.kiln.server.logs.LogTimes;
import dev.kiln.webui.live.LogFeed;
import dev.kiln.webui.term.RenderOptions;
import dev.kiln.webui.term.TerminalRenderer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Rows and search hits anywhere in a step's log, numbered as the live view numbers them: both run
 * the same terminal renderer over the file from its start (line numbers depend on everything
 * before: carriage returns, cursor moves, wraps), streaming it in 1 MiB chunks with each chunk's
 * write time. A window stops reading once its last row is final; a search reads to the end, or
 * until its hit or time cap.
 */
final class LogLookup {
    /** The search's result: the hits' line numbers, oldest first, and whether it saw the whole log. */
    record Found(List<Long> hits, boolean capped, boolean complete, long scannedBytes, long linesScanned) {}

    private LogLookup() {}

    /** Rows {@code from} to {@code to} (1-based, inclusive) as the page's HTML. */
    static List<String> rows(LogStore logs, String buildId, int step, long from, long to) throws IOException {
        List<String> rows = new ArrayList<>();
        TerminalRenderer r = new TerminalRenderer(RenderOptions.defaults(), n -> n >= from && n <= to,
                l -> rows.add(LogFeed.row(step, l)));
        LogTimes times = logs.times(buildId, step);
        boolean[] stopped = {false};
        logs.scan(buildId, step, times, 0, logs.size(buildId, step), (b, off, len, at, time) -> {
            r.write(b, off, len, time);
            stopped[0] = r.linesEmitted() >= to;
            return !stopped[0];
        });
        if (!stopped[0]) {
            r.finish();
        }
        return rows;
    }

    /**
     * Lines whose text (as shown: no escapes, a progress bar as its last frame) contains {@code query},
     * ignoring case; at most {@code maxHits}, and no longer than until {@code deadlineNanos}.
     */
    static Found search(LogStore logs, String buildId, int step, String query, int maxHits, long deadlineNanos)
            throws IOException {
        char[] lo = new char[query.length()];
        char[] up = new char[query.length()];
        for (int i = 0; i < lo.length; i++) {
            lo[i] = Character.toLowerCase(query.charAt(i));
            up[i] = Character.toUpperCase(query.charAt(i));
        }
        List<Long> hits = new ArrayList<>();
        TerminalRenderer r = TerminalRenderer.text(RenderOptions.defaults(), (n, text, t) -> {
            if (hits.size() < maxHits && contains(text, lo, up)) {
                hits.add(n);
            }
        });
        long size = logs.size(buildId, step);
        long[] scanned = {0};
        boolean[] stopped = {false};
        logs.scan(buildId, step, logs.times(buildId, step), 0, size, (b, off, len, at, time) -> {
            r.write(b, off, len, time);
            scanned[0] = at + len;
            stopped[0] = hits.size() >= maxHits || System.nanoTime() - deadlineNanos > 0;
            return !stopped[0];
        });
        if (!stopped[0]) {
            r.finish();
        }
        return new Found(List.copyOf(hits), hits.size() >= maxHits, !stopped[0], scanned[0], r.linesEmitted());
    }

    /** Whether {@code text} contains the query given as its lower- and upper-case characters. */
    static boolean contains(CharSequence text, char[] lo, char[] up) {
        int m = lo.length;
        char lo0 = lo[0];
        char up0 = up[0];
        outer:
        for (int i = 0, last = text.length() - m; i <= last; i++) {
            char c0 = text.charAt(i);
            if (c0 != lo0 && c0 != up0 && Character.toLowerCase(c0) != lo0) {
                continue;
            }
            for (int j = 1; j < m; j++) {
                char c = text.charAt(i + j);
                if (c != lo[j] && c != up[j] && Character.toLowerCase(c) != lo[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
