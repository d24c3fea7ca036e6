package dev.kiln.server.logs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The write times kept beside a step's log: one record per chunk, bounded, read incrementally. */
class LogTimesTest {
    @TempDir Path tmp;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void each_byte_has_the_time_of_the_chunk_that_wrote_it_within_the_resolution() throws Exception {
        LogStore logs = new LogStore(tmp);
        logs.append("b", 0, 0, b("one\n"), 0, 4, 1_000);
        logs.append("b", 0, 4, b("two\n"), 0, 4, 1_000 + LogTimes.RESOLUTION_MS / 2);   // too close: no record
        logs.append("b", 0, 8, b("three\n"), 0, 6, 5_000);
        logs.append("b", 0, 8, b("three\n"), 0, 6, 9_000);   // a resend of bytes the log has: nothing written
        LogTimes t = logs.times("b", 0);
        assertThat(t.size()).isEqualTo(2);
        assertThat(t.timeAt(0)).isEqualTo(1_000);
        assertThat(t.timeAt(7)).isEqualTo(1_000);
        assertThat(t.timeAt(8)).isEqualTo(5_000);
        assertThat(t.timeAt(13)).isEqualTo(5_000);
        assertThat(t.nextChange(0)).isEqualTo(8);
        assertThat(t.nextChange(8)).isEqualTo(Long.MAX_VALUE);
        assertThat(Files.size(logs.timesFile("b", 0))).isEqualTo(2 * LogTimes.RECORD);

        logs.append("b", 0, 14, b("four\n"), 0, 5, 7_000);
        assertThat(t.refresh().timeAt(14)).isEqualTo(7_000);
        assertThat(t.size()).isEqualTo(3);
    }

    @Test
    void a_scan_cuts_chunks_where_the_time_changes_and_a_log_without_times_reads_as_unknown() throws Exception {
        LogStore logs = new LogStore(tmp);
        logs.append("b", 0, 0, b("aaaa"), 0, 4, 1_000);
        logs.append("b", 0, 4, b("bbbb"), 0, 4, 2_000);
        List<String> seen = new ArrayList<>();
        logs.scan("b", 0, logs.times("b", 0), 0, 8, (buf, off, len, at, time) -> {
            seen.add(at + ":" + new String(buf, off, len, StandardCharsets.UTF_8) + "@" + time);
            return true;
        });
        assertThat(seen).containsExactly("0:aaaa@1000", "4:bbbb@2000");

        Files.delete(logs.timesFile("b", 0));
        seen.clear();
        logs.scan("b", 0, logs.times("b", 0), 2, 8, (buf, off, len, at, time) -> {
            seen.add(at + ":" + new String(buf, off, len, StandardCharsets.UTF_8) + "@" + time);
            return true;
        });
        assertThat(seen).containsExactly("2:aabbbb@-1");
    }
}
