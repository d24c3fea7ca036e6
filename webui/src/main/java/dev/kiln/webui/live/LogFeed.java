package dev.kiln.webui.live;

import dev.kiln.webui.term.GroupEvent;
import dev.kiln.webui.term.RenderedLine;
import dev.kiln.webui.term.TerminalRenderer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One step's log on its way to a browser: bytes in, rows of safe HTML out. Final rows are taken
 * once each ({@link #takeFinal()}); the rows still open to change are re-rendered on demand
 * ({@link #pending()}). While {@code keep} is set, only the newest {@code keep} final rows are
 * held and the rest counted as skipped, so that opening a huge log sends its tail only.
 *
 * <p>A row is {@code <div class="ln" id="sS-LN">} with a permalink on its number. Group markers
 * become {@code data-ev}: a list of {@code e} (the open group ends before this row), {@code o}
 * and {@code c} (a group, open or collapsed, starts with this row as its title), in order; the
 * page's script nests the rows. {@code data-t}: when the line began (epoch milliseconds), when known. Not thread-safe, as the renderer it wraps.
 */
public final class LogFeed {
    private final int step;
    private final TerminalRenderer renderer;
    private final ArrayDeque<RenderedLine> finals = new ArrayDeque<>();
    private int keep = Integer.MAX_VALUE;
    private long skipped;

    public LogFeed(int step) {
        this.step = step;
        this.renderer = new TerminalRenderer(this::accept);
    }

    /** Holds at most {@code n} final rows from now on; older ones are dropped and counted. */
    public void keepOnly(int n) {
        this.keep = n;
        trim();
    }

    public void write(byte[] b, int off, int len) {
        renderer.write(b, off, len);
    }

    /** Bytes written at {@code timeMillis} (-1: unknown); their lines carry that time. */
    public void write(byte[] b, int off, int len, long timeMillis) {
        renderer.write(b, off, len, timeMillis);
    }

    /** The log ended: every row becomes final. */
    public void finish() {
        renderer.finish();
    }

    /** Rows dropped by {@link #keepOnly} since the last call; resets the count. */
    public long takeSkipped() {
        long s = skipped;
        skipped = 0;
        return s;
    }

    /** The final rows not yet taken, oldest first. */
    public List<String> takeFinal() {
        List<String> out = new ArrayList<>(finals.size());
        for (RenderedLine l : finals) {
            out.add(row(step, l));
        }
        finals.clear();
        return out;
    }

    /** Drops the final rows not yet taken (a resumed feed re-reads what the browser already has). */
    public void discardFinal() {
        finals.clear();
    }

    /** The rows that may still change, as they stand now. */
    public List<String> pending() {
        return renderer.pending().stream().map(l -> row(step, l)).toList();
    }

    /** How many rows there are so far, final ones only. */
    public long finalCount() {
        return renderer.linesEmitted();
    }

    private void accept(RenderedLine line) {
        finals.add(line);
        trim();
    }

    private void trim() {
        while (finals.size() > keep) {
            finals.poll();
            skipped++;
        }
    }

    /** One row's HTML: the renderer's (already escaped) line, its number as a permalink, its group events. */
    public static String row(int step, RenderedLine l) {
        String anchor = "s" + step + "-L" + l.number();
        StringBuilder b = new StringBuilder(l.html().length() + 120);
        b.append("<div class=\"ln\" id=\"").append(anchor).append('"');
        if (l.timeMillis() >= 0) {
            b.append(" data-t=\"").append(l.timeMillis()).append('"');
        }
        if (!l.groups().isEmpty()) {
            StringBuilder ev = new StringBuilder();
            String name = "";
            for (GroupEvent g : l.groups()) {
                if (g instanceof GroupEvent.Start s) {
                    ev.append(s.expanded() ? 'o' : 'c');
                    name = s.name();
                } else {
                    ev.append('e');
                }
            }
            b.append(" data-ev=\"").append(ev).append('"');
            if (!name.isEmpty()) {
                b.append(" data-name=\"").append(Html.escape(name)).append('"');
            }
        }
        b.append("><a class=\"no\" href=\"#").append(anchor).append("\">").append(l.number())
                .append("</a><span class=\"tx\">").append(l.html()).append("</span></div>");
        return b.toString();
    }
}
