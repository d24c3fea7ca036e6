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
 */
public record RenderedLine(long number, String html, List<GroupEvent> groups) {
    public RenderedLine {
        Objects.requireNonNull(html);
        groups = List.copyOf(groups);
    }
}
