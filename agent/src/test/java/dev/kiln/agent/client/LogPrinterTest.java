package dev.kiln.agent.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LogPrinterTest {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final LogPrinter out = LogPrinter.over(new PrintStream(bytes));
    static final byte[] A = "a: ".getBytes(StandardCharsets.UTF_8);
    static final byte[] B = "b: ".getBytes(StandardCharsets.UTF_8);

    @Test
    void lines_of_two_steps_interleave_only_at_line_ends_and_a_last_line_gets_its_newline_at_the_steps_end() throws IOException {
        log(0, A, "one\ntw");
        log(1, B, "x\ny");
        log(0, A, "o\nthree");
        out.line("between");
        out.endStep(0, A);
        log(1, B, "z\n");
        out.endStep(1, B);
        out.flush();

        assertThat(text()).isEqualTo("a: one\nb: x\na: two\nbetween\na: three\nb: yz\n");
    }

    @Test
    void bytes_pass_as_they_are_and_a_carriage_return_is_not_a_line_end() throws IOException {
        byte[] raw = {'p', '\r', 'q', (byte) 0xC3, '\n', (byte) 0xA9, '\n'};
        out.log(0, A, raw, 0, raw.length);
        out.flush();

        byte[] expected = {'a', ':', ' ', 'p', '\r', 'q', (byte) 0xC3, '\n', 'a', ':', ' ', (byte) 0xA9, '\n'};
        assertThat(bytes.toByteArray()).isEqualTo(expected);
    }

    @Test
    void a_line_longer_than_a_mebibyte_is_written_before_its_end_and_another_step_starts_on_a_new_line() throws IOException {
        String longLine = "x".repeat((1 << 20) + 10);
        log(0, A, longLine);
        log(0, A, "more");
        log(1, B, "other\n");
        log(0, A, "rest\n");
        out.flush();

        assertThat(text()).isEqualTo("a: " + longLine + "more\nb: other\na: rest\n");
    }

    private void log(int step, byte[] prefix, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.log(step, prefix, b, 0, b.length);
    }

    private String text() {
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
