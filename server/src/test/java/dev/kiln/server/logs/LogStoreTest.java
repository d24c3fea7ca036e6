package dev.kiln.server.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.spec.protocol.AgentApi.LogGapException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogStoreTest {
    @TempDir Path tmp;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void a_resent_chunk_is_not_stored_twice() throws Exception {
        LogStore logs = new LogStore(tmp);
        assertThat(logs.append("b", 0, 0, b("line 1\n"), 0, 7)).isEqualTo(7);
        // The agent did not see the answer and sends the same chunk again, then the next one.
        assertThat(logs.append("b", 0, 0, b("line 1\n"), 0, 7)).isEqualTo(7);
        assertThat(logs.append("b", 0, 7, b("line 2\n"), 0, 7)).isEqualTo(14);
        assertThat(new String(logs.read("b", 0, 0, 100), StandardCharsets.UTF_8)).isEqualTo("line 1\nline 2\n");
    }

    @Test
    void a_chunk_that_overlaps_what_is_stored_adds_only_the_new_part() throws Exception {
        LogStore logs = new LogStore(tmp);
        logs.append("b", 1, 0, b("abc"), 0, 3);
        assertThat(logs.append("b", 1, 1, b("bcdef"), 0, 5)).isEqualTo(6);
        assertThat(new String(logs.read("b", 1, 0, 100), StandardCharsets.UTF_8)).isEqualTo("abcdef");
    }

    @Test
    void a_chunk_that_would_leave_a_hole_is_refused_with_the_size_to_resume_from() throws Exception {
        LogStore logs = new LogStore(tmp);
        logs.append("b", 0, 0, b("abc"), 0, 3);
        assertThatThrownBy(() -> logs.append("b", 0, 10, b("xyz"), 0, 3))
                .isInstanceOfSatisfying(LogGapException.class, e -> assertThat(e.size()).isEqualTo(3));
        assertThat(logs.size("b", 0)).isEqualTo(3);
    }

    @Test
    void reads_page_through_a_log_from_any_offset() throws Exception {
        LogStore logs = new LogStore(tmp);
        logs.append("b", 0, 0, b("0123456789"), 0, 10);
        assertThat(new String(logs.read("b", 0, 4, 3), StandardCharsets.UTF_8)).isEqualTo("456");
        assertThat(logs.read("b", 0, 10, 3)).isEmpty();
        assertThat(logs.read("b", 7, 0, 3)).isEmpty();
        assertThat(new String(logs.open("b", 0, 8).readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("89");
    }
}
