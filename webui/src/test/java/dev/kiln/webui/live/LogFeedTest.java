package dev.kiln.webui.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LogFeedTest {
    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void rows_carry_permalinks_escaped_text_and_escaped_group_names() {
        LogFeed f = new LogFeed(2);
        byte[] log = bytes("::group::<b>\"x\"</b>\n<script>alert(1)</script>\n::endgroup::\n");
        f.write(log, 0, log.length);
        f.finish();
        List<String> rows = f.takeFinal();
        assertThat(rows.get(0)).contains("id=\"s2-L1\"", "href=\"#s2-L1\"", "data-ev=\"c\"",
                "data-name=\"&lt;b&gt;&quot;x&quot;&lt;/b&gt;\"").doesNotContain("<b>");
        assertThat(rows.get(1)).contains("&lt;script&gt;alert(1)&lt;/script&gt;").doesNotContain("<script>");
        assertThat(rows.get(2)).contains("data-ev=\"e\"");
    }

    @Test
    void keep_only_holds_the_tail_and_counts_what_it_dropped() {
        LogFeed f = new LogFeed(0);
        f.keepOnly(3);
        StringBuilder s = new StringBuilder();
        for (int i = 1; i <= 500; i++) {
            s.append("line ").append(i).append('\n');
        }
        byte[] b = bytes(s.toString());
        f.write(b, 0, b.length);
        f.finish();
        assertThat(f.takeSkipped()).isEqualTo(497);
        assertThat(f.takeFinal()).hasSize(3).last().asString().contains("line 500");
    }

    @Test
    void a_progress_bar_is_one_pending_row_until_its_line_ends() {
        LogFeed f = new LogFeed(0);
        byte[] b = bytes("p 10%\rp 50%");
        f.write(b, 0, b.length);
        assertThat(f.takeFinal()).isEmpty();
        assertThat(f.pending()).hasSize(1).first().asString().contains("p 50%").doesNotContain("10%");
    }

    @Test
    void ansi_strip_leaves_text_and_line_ends() throws Exception {
        byte[] in = bytes("\u001b[31mred\u001b[0m a\rb\n\u001b]8;;http://x\u0007link\u001b]8;;\u001b\\ end\n");
        byte[] out = new AnsiStrip(new ByteArrayInputStream(in)).readAllBytes();
        assertThat(new String(out, StandardCharsets.UTF_8)).isEqualTo("red a\rb\nlink end\n");
    }
}
