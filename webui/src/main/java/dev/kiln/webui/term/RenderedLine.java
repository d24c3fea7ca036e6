package dev.kiln.webui.term;

import java.util.List;
import java.util.Objects;

/**
 * One line of a log as HTML, ready to put inside a {@code <pre>}-like element.
 *
 * @param number 1-based line number within the log, in the order lines are emitted
 * @param html the line's content: escaped text in {@code <span class="term-...">} and
 *     {@code <a href="http(s)://..." rel="nofollow noopener noreferrer">}, no newline; safe to
 *     insert as markup
 * @param groups group markers on this line, in order (usually empty; at most a few)
 * @param timeMillis when the line's first character was written (the time of the chunk that
 *     carried it, as given to {@link TerminalRenderer#write(byte[], int, int, long)}), or -1
 */
public record RenderedLine(long number, String html, List<GroupEvent> groups, long timeMillis) {
    public RenderedLine {
        Objects.requireNonNull(html);
        groups = List.copyOf(groups);
    }

    public RenderedLine(long number, String html, List<GroupEvent> groups) {
        this(number, html, groups, -1);
    }
}
