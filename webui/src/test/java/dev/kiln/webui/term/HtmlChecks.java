package dev.kiln.webui.term;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Checks that the renderer's HTML is only the markup it means to write, balanced, with escaped text. */
final class HtmlChecks {
    private static final Pattern TAG = Pattern.compile(
            "<span class=\"[a-z0-9 -]+\">|</span>|<a class=\"term-link\" href=\"https?://[^\"<>']*\" rel=\"nofollow noopener noreferrer\">|</a>",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern ENTITY = Pattern.compile("&(lt|gt|amp|quot|#39);");

    private HtmlChecks() {}

    static void assertWellFormed(String html) {
        Deque<String> open = new ArrayDeque<>();
        Matcher m = TAG.matcher(html);
        int i = 0;
        while (i < html.length()) {
            char c = html.charAt(i);
            if (c == '<') {
                if (!m.find(i) || m.start() != i) {
                    fail("raw '<' or unexpected tag at %d in %s", i, html);
                }
                String tag = m.group();
                if (tag.startsWith("</")) {
                    assertThat(open).as("closing %s in %s", tag, html).isNotEmpty();
                    String expected = tag.equals("</a>") ? "a" : "span";
                    assertThat(open.pop()).as("nesting in %s", html).isEqualTo(expected);
                } else {
                    open.push(tag.startsWith("<a") ? "a" : "span");
                }
                i = m.end();
            } else if (c == '&') {
                Matcher e = ENTITY.matcher(html).region(i, html.length());
                if (!e.lookingAt()) {
                    fail("bare '&' at %d in %s", i, html);
                }
                i = e.end();
            } else if (c == '>' || c == '"' || c == '\'' || c == '\n' || c == '\r' || c < 0x20) {
                fail("unescaped %s at %d in %s", (int) c, i, html);
                return;
            } else {
                i++;
            }
        }
        assertThat(open).as("unclosed tags in %s", html).isEmpty();
    }
}
