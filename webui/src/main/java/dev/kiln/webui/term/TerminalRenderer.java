package dev.kiln.webui.term;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.LongPredicate;

/**
 * Renders a build log, as a terminal would have shown it, into lines of safe HTML, as the log
 * streams in.
 *
 * <p>Feed it bytes with {@code write} in chunks of any size (a chunk may end inside a UTF-8
 * character or an escape sequence) and call {@link #finish()} once at the end. Each line is
 * handed to the sink once, in order, when it can no longer change: when it scrolls out of the
 * window of the last {@link RenderOptions#windowLines()} lines that cursor movement can still
 * reach, or at {@code finish}. {@link #pending()} shows the lines still in that window, for a
 * live view that wants them before they are final.
 *
 * <p>Cost: time linear in the input and memory bounded by the options, whatever the input
 * (see the package documentation). Not thread-safe: one renderer per log, used by one thread
 * at a time. The sink is called from within {@code write} and {@code finish}.
 */
public final class TerminalRenderer {
    /**
     * Receives a final line's plain text (what the page shows, without markup): for search. The text
     * is a view of the line, valid only during the call; a code point outside the BMP reads as U+FFFD.
     */
    @FunctionalInterface
    public interface TextSink {
        void line(long number, CharSequence text, long timeMillis);
    }

    /** A line's cells from a column on, as characters, without copying them (a search reads each line once). */
    private static final class LineText implements CharSequence {
        Line line;
        int from;

        @Override
        public int length() {
            return line.length() - from;
        }

        @Override
        public char charAt(int i) {
            int cp = line.charAt(from + i);
            return cp > 0xFFFF ? '\uFFFD' : (char) cp;
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return toString().substring(start, end);
        }

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder(length());
            for (int i = 0; i < length(); i++) {
                b.append(charAt(i));
            }
            return b.toString();
        }
    }

    private final Consumer<RenderedLine> sink;
    private final LongPredicate wanted;
    private final TextSink textSink;
    private final LineText text = new LineText();
    private final Screen screen;
    private final GroupTracker groups;
    private final Emulator emulator;
    private final AnsiParser parser;
    private final HtmlWriter html = new HtmlWriter();
    private boolean finished;
    private long emitted;

    /** A renderer with {@link RenderOptions#defaults()}. */
    public TerminalRenderer(Consumer<RenderedLine> sink) {
        this(RenderOptions.defaults(), sink);
    }

    public TerminalRenderer(RenderOptions options, Consumer<RenderedLine> sink) {
        this(options, n -> true, sink, null);
    }

    /**
     * A renderer that hands the sink only the lines whose number {@code wanted} accepts; the others
     * are still rendered as far as numbering and groups need, but cost no HTML. For a window of rows.
     */
    public TerminalRenderer(RenderOptions options, LongPredicate wanted, Consumer<RenderedLine> sink) {
        this(options, wanted, sink, null);
    }

    /** A renderer that gives each final line as plain text instead of HTML. */
    public static TerminalRenderer text(RenderOptions options, TextSink sink) {
        return new TerminalRenderer(options, n -> false, l -> {}, Objects.requireNonNull(sink));
    }

    private TerminalRenderer(RenderOptions options, LongPredicate wanted, Consumer<RenderedLine> sink, TextSink textSink) {
        this.sink = Objects.requireNonNull(sink);
        this.wanted = Objects.requireNonNull(wanted);
        this.textSink = textSink;
        this.groups = new GroupTracker(options.markers());
        this.screen = new Screen(options, this::emit);
        this.emulator = new Emulator(screen, groups);
        this.parser = new AnsiParser(emulator);
    }

    /** Renders a whole log at once. */
    public static List<RenderedLine> render(byte[] log) {
        List<RenderedLine> lines = new ArrayList<>();
        TerminalRenderer renderer = new TerminalRenderer(lines::add);
        renderer.write(log, 0, log.length);
        renderer.finish();
        return lines;
    }

    /** Renders a whole log given as text. */
    public static List<RenderedLine> render(String log) {
        return render(log.getBytes(StandardCharsets.UTF_8));
    }

    public void write(byte[] bytes) {
        write(bytes, 0, bytes.length);
    }

    /** Feeds a chunk of the log whose time is not known. */
    public void write(byte[] bytes, int offset, int length) {
        write(bytes, offset, length, -1);
    }

    /**
     * Feeds a chunk of the log written at {@code epochMillis} (as the agent recorded it; -1 if
     * unknown). A line takes the time of the chunk that printed its first character; GitHub and Buildkite group
     * durations are measured between those times.
     */
    public void write(byte[] bytes, int offset, int length, long epochMillis) {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        if (finished) {
            throw new IllegalStateException("finish() was called");
        }
        screen.now = epochMillis;
        parser.feed(bytes, offset, length);
    }

    /** Ends the log: every line left is emitted. Idempotent. */
    public void finish() {
        if (finished) {
            return;
        }
        finished = true;
        parser.finish();
        emulator.endRun();
        screen.finish();
    }

    /**
     * The lines not yet final, rendered as they stand now, numbered as they will be. They may
     * still change; group events on them are those found so far, and a GitHub or Buildkite
     * header shows its title without its events until it is final. Costs a render of the window.
     */
    public List<RenderedLine> pending() {
        List<RenderedLine> lines = new ArrayList<>();
        screen.forEachPending((line, number) -> {
            GroupTracker.LineMarker marker = groups.detect(line);
            int from = marker == null ? 0 : marker.titleFrom();
            lines.add(new RenderedLine(number, html.render(line, from), line.events(), line.timeMillis));
        });
        return lines;
    }

    /** How many lines have been handed to the sink. */
    public long linesEmitted() {
        return emitted;
    }

    private void emit(Line line, long number) {
        int from = groups.onEmit(line, number);
        emitted++;
        if (textSink != null) {
            text.line = line;
            text.from = from;
            textSink.line(number, text, line.timeMillis);
            text.line = null;
        } else if (wanted.test(number)) {
            sink.accept(new RenderedLine(number, html.render(line, from), line.events(), line.timeMillis));
        }
    }
}
