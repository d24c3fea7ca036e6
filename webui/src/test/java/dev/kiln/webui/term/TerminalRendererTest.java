package dev.kiln.webui.term;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The renderer's table: terminal input on the left, the lines of HTML it must become on the right. */
class TerminalRendererTest {

    static String render(String input) {
        return TerminalRenderer.render(input).stream().map(RenderedLine::html).collect(Collectors.joining("\n"));
    }

    static Stream<Arguments> table() {
        return Stream.of(
                // plain text and line endings
                row("empty log has no lines", "", ""),
                row("plain line", "hello world\n", "hello world"),
                row("last line without newline", "a\nb", "a\nb"),
                row("blank lines stay", "a\n\nb\n", "a\n\nb"),
                row("CRLF is one line end", "one\r\ntwo\r\n", "one\ntwo"),
                // untrusted text is escaped
                row("script tag is text", "<script>alert(1)</script>\n", "&lt;script&gt;alert(1)&lt;/script&gt;"),
                row("img onerror is text", "<img src=x onerror=alert(1)>\n", "&lt;img src=x onerror=alert(1)&gt;"),
                row("quotes and ampersand", "a & \"b\" 'c'\n", "a &amp; &quot;b&quot; &#39;c&#39;"),
                row("escaped inside colour", "\u001b[31m<b>\u001b[0m\n", "<span class=\"term-fg-1\">&lt;b&gt;</span>"),
                // carriage return, backspace, tab
                row("CR overwrites from column 0", "hello\rJ\n", "Jello"),
                row("progress frames end as the last frame", "10%\r50%\r100%\n", "100%"),
                row("backspace overwrites", "abc\bX\n", "abX"),
                row("backspace stops at column 0", "\b\bab\n", "ab"),
                row("tab pads to the next stop of 8", "a\tb\n", "a       b"),
                // erase in line
                row("ESC[K erases to the end", "abcdef\r\u001b[3C\u001b[K\n", "abc"),
                row("ESC[0K is ESC[K", "abcdef\r\u001b[3C\u001b[0K\n", "abc"),
                row("ESC[1K erases to the cursor inclusive", "abcdef\r\u001b[2C\u001b[1K\n", "   def"),
                row("ESC[2K erases the line", "abcdef\u001b[2K\rxy\n", "xy"),
                row("write after ESC[1K shows", "abcdef\r\u001b[2C\u001b[1K\rZ\n", "Z  def"),
                row("ESC[1K then ESC[1K further left", "abcdefgh\r\u001b[5C\u001b[1K\u001b[2D\u001b[1K\n", "      gh"),
                // cursor movement
                row("cursor up rewrites an earlier line", "one\ntwo\n\u001b[2Aeins\n", "eins\ntwo"),
                row("cursor up stops at the first line", "a\n\u001b[9AB\n", "B"),
                row("cursor down stops at the last line", "a\nb\u001b[1A\u001b[5BX\n", "a\nbX"),
                row("cursor forward pads with blanks", "a\u001b[3Cb\n", "a   b"),
                row("cursor back", "abcd\u001b[2DX\n", "abXd"),
                row("cursor to column", "abcdef\u001b[2GX\n", "aXcdef"),
                row("cursor forward is bounded past the end", "\u001b[65535Cx\n", " ".repeat(Screen.MOVE_PAST_END) + "x"),
                row("ESC[J drops the lines below", "a\nb\nc\u001b[2A\r\u001b[Jx\ny\n", "x\ny"),
                row("ESC[2J keeps what was printed", "a\nb\u001b[2Jc\n", "a\nb\nc"),
                row("ESC[H keeps the line, goes to column 0", "abc\u001b[HX\n", "Xbc"),
                // SGR
                row("reset", "\u001b[1mB\u001b[0mn\n", "<span class=\"term-bold\">B</span>n"),
                row("bold faint italic underline strike",
                        "\u001b[1;2;3;4;9mx\n", "<span class=\"term-bold term-faint term-italic term-underline term-strike\">x</span>"),
                row("16 colours", "\u001b[32mok\u001b[39m \u001b[41mbad\u001b[49m\n",
                        "<span class=\"term-fg-2\">ok</span> <span class=\"term-bg-1\">bad</span>"),
                row("bright colours", "\u001b[91;102mx\n", "<span class=\"term-fg-9 term-bg-10\">x</span>"),
                row("256 colours", "\u001b[38;5;208;48;5;236mx\n", "<span class=\"term-fg-208 term-bg-236\">x</span>"),
                row("truecolor rounds to the nearest 256 colour", "\u001b[38;2;255;135;0mx\n", "<span class=\"term-fg-208\">x</span>"),
                row("truecolor with colons and colour space", "\u001b[38:2::0:0:255mx\n", "<span class=\"term-fg-21\">x</span>"),
                row("truecolor grey goes to the grey ramp", "\u001b[48;2;128;128;128mx\n", "<span class=\"term-bg-244\">x</span>"),
                row("inverse swaps colours", "\u001b[31;7mx\n", "<span class=\"term-inverse term-bg-1\">x</span>"),
                row("22 ends bold, 24 ends underline", "\u001b[1;4mA\u001b[22mB\u001b[24mC\n",
                        "<span class=\"term-bold term-underline\">A</span><span class=\"term-underline\">B</span>C"),
                row("bad 256 index is ignored, rest applies", "\u001b[38;5;999;1mx\n", "<span class=\"term-bold\">x</span>"),
                row("style carries across lines", "\u001b[33ma\nb\u001b[m\n", "<span class=\"term-fg-3\">a</span>\n<span class=\"term-fg-3\">b</span>"),
                // OSC 8 links and other OSC
                row("http link", "\u001b]8;;https://example.com/a?b=1&c=2\u001b\\docs\u001b]8;;\u001b\\ end\n",
                        "<a class=\"term-link\" href=\"https://example.com/a?b=1&amp;c=2\" rel=\"nofollow noopener noreferrer\">docs</a> end"),
                row("link with BEL terminator and quotes", "\u001b]8;id=1;http://x.test/\"onclick=\"a\u0007l\u001b]8;;\u0007\n",
                        "<a class=\"term-link\" href=\"http://x.test/&quot;onclick=&quot;a\" rel=\"nofollow noopener noreferrer\">l</a>"),
                row("javascript link is text", "\u001b]8;;javascript:alert(1)\u001b\\click\u001b]8;;\u001b\\\n", "click"),
                row("data link is text", "\u001b]8;;data:text/html,<script>\u0007x\u001b]8;;\u0007\n", "x"),
                row("coloured text inside a link", "\u001b]8;;https://e.test\u0007a\u001b[1mb\u001b]8;;\u0007c\n",
                        "<a class=\"term-link\" href=\"https://e.test\" rel=\"nofollow noopener noreferrer\">a<span class=\"term-bold\">b</span></a><span class=\"term-bold\">c</span>"),
                row("window title is dropped", "\u001b]0;my title\u0007text\n", "text"),
                row("buildkite timestamp APC is dropped", "\u001b_bk;t=1700000000000\u0007line\n", "line"),
                // unknown and malformed escapes
                row("private modes are dropped", "\u001b[?25lx\u001b[?25h\n", "x"),
                row("charset designation is dropped", "\u001b(Bx\n", "x"),
                row("unknown CSI is dropped", "a\u001b[5Xb\n", "ab"),
                row("unterminated OSC ends at the newline", "\u001b]0;title\nnext\n", "\nnext"),
                row("overlong CSI is abandoned, the text after it shows",
                        "\u001b[" + "1;".repeat(200) + "mtext\n", "1;".repeat((400 - AnsiParser.MAX_CSI) / 2) + "mtext"),
                row("huge parameter saturates", "\u001b[99999999999999999999Dx\n", "x"),
                row("ESC then newline", "a\u001b\nb\n", "a\nb"),
                // UTF-8
                row("multibyte text", "héllo ✓ 🚀\n", "héllo ✓ 🚀"),
                row("invalid UTF-8 becomes U+FFFD", "a\u00ff\n".replace('\u00ff', '\ufffd'), "a\ufffd"),
                row("C1 controls are dropped", "a\u0085b\n", "ab"));
    }

    private static Arguments row(String name, String input, String html) {
        return Arguments.of(name, input, html);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void renders_input_as_expected_html(String name, String input, String html) {
        assertThat(render(input)).isEqualTo(html);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void every_line_is_well_formed_html(String name, String input, String html) {
        for (RenderedLine line : TerminalRenderer.render(input)) {
            HtmlChecks.assertWellFormed(line.html());
        }
    }

    @org.junit.jupiter.api.Test
    void lines_are_numbered_from_one() {
        List<RenderedLine> lines = TerminalRenderer.render("a\nb\nc\n");
        assertThat(lines).extracting(RenderedLine::number).containsExactly(1L, 2L, 3L);
    }
}
