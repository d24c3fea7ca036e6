package dev.kiln.webui.term;

import java.util.HashMap;
import java.util.Map;

/**
 * Writes a line's cells as HTML: every character escaped, runs of one style in a
 * {@code <span class>}, runs of one link in an {@code <a href>}.
 *
 * <p>Only classes, never a {@code style} attribute, so that the page's Content-Security-Policy
 * can forbid inline styles. Class names: {@code term-fg-N} and {@code term-bg-N} (N a palette
 * index 0-255), {@code term-bold}, {@code term-faint}, {@code term-italic},
 * {@code term-underline}, {@code term-strike}, {@code term-conceal}, {@code term-inverse}
 * (the colours are already swapped; the class supplies defaults), and {@code term-link}.
 * Trailing blanks without style are left out.
 */
final class HtmlWriter {
    private static final int MAX_CACHED_CLASSES = 4096;

    private final StringBuilder out = new StringBuilder(256);
    private final Map<Integer, String> classes = new HashMap<>();

    /** The line's cells from column {@code from} on, as HTML. */
    String render(Line line, int from) {
        out.setLength(0);
        int spanStyle = Style.PLAIN;
        String openLink = null;
        int length = line.length();
        // Trailing plain blanks are invisible; dropping them keeps copied text clean (a cleared
        // progress bar overwritten by a short line leaves a line of spaces behind it).
        while (length > from && line.charAt(length - 1) == ' ' && line.styleAt(length - 1) == Style.PLAIN
                && line.linkAt(length - 1) == null) {
            length--;
        }
        for (int x = from; x < length; x++) {
            int style = line.styleAt(x);
            String link = line.linkAt(x);
            if (link != openLink && (link == null || !link.equals(openLink))) {
                if (spanStyle != Style.PLAIN) {
                    out.append("</span>");
                    spanStyle = Style.PLAIN;
                }
                if (openLink != null) {
                    out.append("</a>");
                }
                if (link != null) {
                    out.append("<a class=\"term-link\" href=\"");
                    escape(link);
                    out.append("\" rel=\"nofollow noopener noreferrer\">");
                }
                openLink = link;
            }
            if (style != spanStyle) {
                if (spanStyle != Style.PLAIN) {
                    out.append("</span>");
                }
                if (style != Style.PLAIN) {
                    out.append("<span class=\"").append(classesOf(style)).append("\">");
                }
                spanStyle = style;
            }
            escape(line.charAt(x));
        }
        if (spanStyle != Style.PLAIN) {
            out.append("</span>");
        }
        if (openLink != null) {
            out.append("</a>");
        }
        return out.toString();
    }

    private void escape(String s) {
        for (int i = 0; i < s.length(); i++) {
            escape(s.charAt(i));
        }
    }

    private void escape(int cp) {
        switch (cp) {
            case '<' -> out.append("&lt;");
            case '>' -> out.append("&gt;");
            case '&' -> out.append("&amp;");
            case '"' -> out.append("&quot;");
            case '\'' -> out.append("&#39;");
            default -> {
                if (cp < 0x10000) {
                    out.append((char) cp);
                } else {
                    out.appendCodePoint(cp);
                }
            }
        }
    }

    private String classesOf(int style) {
        String cached = classes.get(style);
        if (cached != null) {
            return cached;
        }
        if (classes.size() >= MAX_CACHED_CLASSES) {
            classes.clear(); // hostile input can name millions of styles; keep the cache small
        }
        String computed = computeClasses(style);
        classes.put(style, computed);
        return computed;
    }

    static String computeClasses(int style) {
        StringBuilder c = new StringBuilder();
        int fg = Style.fg(style), bg = Style.bg(style);
        if ((style & Style.INVERSE) != 0) {
            int swap = fg;
            fg = bg;
            bg = swap;
            c.append(" term-inverse");
        }
        if (fg >= 0) {
            c.append(" term-fg-").append(fg);
        }
        if (bg >= 0) {
            c.append(" term-bg-").append(bg);
        }
        flag(c, style, Style.BOLD, "term-bold");
        flag(c, style, Style.FAINT, "term-faint");
        flag(c, style, Style.ITALIC, "term-italic");
        flag(c, style, Style.UNDERLINE, "term-underline");
        flag(c, style, Style.STRIKE, "term-strike");
        flag(c, style, Style.CONCEAL, "term-conceal");
        return c.substring(1);
    }

    private static void flag(StringBuilder c, int style, int flag, String name) {
        if ((style & flag) != 0) {
            c.append(' ').append(name);
        }
    }
}
