package dev.kiln.server.http;

import static dev.kiln.server.http.BuildStream.completeUtf8;
import static dev.kiln.server.http.BuildStreamTest.bytes;
import static dev.kiln.server.http.BuildStreamTest.concat;
import static dev.kiln.server.http.BuildStreamTest.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** How much of a chunk of a log can be sent without cutting a UTF-8 character in two. */
class CompleteUtf8Test {
    @Test
    void ascii_is_kept_whole() {
        assertThat(completeUtf8(utf8("plain text\n"))).isEqualTo(11);
    }

    @Test
    void an_empty_chunk_has_nothing_to_send() {
        assertThat(completeUtf8(new byte[0])).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"é", "€", "😀"})
    void a_character_complete_at_the_end_is_kept(String c) {
        byte[] chunk = utf8("ab" + c);

        assertThat(completeUtf8(chunk)).isEqualTo(chunk.length);
    }

    @ParameterizedTest(name = "{0} with {1} of its bytes")
    @CsvSource({"é, 1", "€, 1", "€, 2", "😀, 1", "😀, 2", "😀, 3"})
    void a_character_split_at_the_end_is_cut_before_its_first_byte(String c, int present) {
        byte[] chunk = concat(utf8("ab"), Arrays.copyOf(utf8(c), present));

        assertThat(completeUtf8(chunk)).isEqualTo(2);
    }

    @Test
    void stray_continuation_bytes_after_ascii_are_kept_as_they_start_no_character() {
        byte[] chunk = concat(utf8("ab"), bytes(0x80, 0xBF));

        assertThat(completeUtf8(chunk)).isEqualTo(4);
    }

    @Test
    void a_complete_character_followed_by_a_stray_continuation_byte_is_kept() {
        byte[] chunk = concat(utf8("a€"), bytes(0x80));

        assertThat(completeUtf8(chunk)).isEqualTo(5);
    }

    @Test
    void a_first_byte_already_broken_by_ascii_is_kept() {
        byte[] chunk = concat(utf8("ab"), bytes(0xE2, 'c'));

        assertThat(completeUtf8(chunk)).isEqualTo(4);
    }

    @ParameterizedTest(name = "0x{0}")
    @ValueSource(strings = {"C0", "C1", "F5", "F8", "FF"})
    void a_byte_that_can_never_start_a_character_is_not_held_back(String hex) {
        // While a step runs the stream waits for the rest of a cut character: for these, none will come.
        byte[] chunk = concat(utf8("ab"), bytes(Integer.parseInt(hex, 16)));

        assertThat(completeUtf8(chunk)).isEqualTo(3);
    }

    @Test
    void a_chunk_of_nothing_but_continuation_bytes_is_sent_whole_so_the_stream_moves_on() {
        byte[] chunk = new byte[BuildStream.CHUNK];
        Arrays.fill(chunk, (byte) 0x80);

        assertThat(completeUtf8(chunk)).isEqualTo(chunk.length);
        assertThat(completeUtf8(bytes(0x80))).isEqualTo(1);
    }
}
