package dev.kiln.agent.run;

import static dev.kiln.agent.run.RecordingAgentApi.Fault.FAIL_AFTER_STORE;
import static dev.kiln.agent.run.RecordingAgentApi.Fault.FAIL_BEFORE_STORE;
import static dev.kiln.agent.run.RecordingAgentApi.Fault.LEASE_LOST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.spec.protocol.LeaseLostException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StepLogTest {

    final RecordingAgentApi api = new RecordingAgentApi();
    final StepLog log = new StepLog(api, "b1", "l1", 3);

    @Test
    void chunks_are_sent_one_after_the_other_with_their_offsets() throws IOException {
        log.write("hello ");
        log.write("wörld\n");

        assertThat(api.text(3)).isEqualTo("hello wörld\n");
        assertThat(api.calls()).containsExactly("3@0+6", "3@6+7");
        assertThat(log.size()).isEqualTo(13);
    }

    @Test
    void only_the_given_slice_of_the_array_is_sent() throws IOException {
        byte[] data = "xxabcxx".getBytes(StandardCharsets.US_ASCII);

        log.write(data, 2, 3);

        assertThat(api.text(3)).isEqualTo("abc");
    }

    @Test
    void an_empty_write_sends_nothing() throws IOException {
        log.write(new byte[10], 5, 0);
        log.write("");

        assertThat(api.calls()).isEmpty();
    }

    @Test
    void a_send_that_never_arrived_is_retried_from_the_same_offset() throws IOException {
        log.write("one\n");
        api.failNext(FAIL_BEFORE_STORE);

        log.write("two\n");

        assertThat(api.calls()).containsExactly("3@0+4", "3@4+4", "3@4+4");
        assertThat(api.text(3)).isEqualTo("one\ntwo\n");
        assertThat(log.size()).isEqualTo(8);
    }

    @Test
    void a_send_whose_reply_was_lost_is_retried_from_the_same_offset_and_nothing_is_doubled() throws IOException {
        api.failNext(FAIL_AFTER_STORE, FAIL_AFTER_STORE);

        log.write("one\n");
        log.write("two\n");

        assertThat(api.calls()).containsExactly("3@0+4", "3@0+4", "3@0+4", "3@4+4");
        assertThat(api.text(3)).isEqualTo("one\ntwo\n");
        assertThat(log.size()).isEqualTo(8);
    }

    @Test
    void when_the_server_lost_bytes_the_next_chunk_resumes_at_its_end() throws IOException {
        log.write("hello ");
        api.truncate(3, 2);

        log.write("world");

        assertThat(api.text(3)).isEqualTo("heworld");
        assertThat(api.calls()).containsExactly("3@0+6", "3@6+5", "3@2+5");
        assertThat(log.size()).isEqualTo(7);
    }

    @Test
    void a_lost_lease_is_not_retried() throws IOException {
        log.write("one\n");
        api.failNext(LEASE_LOST);

        assertThatThrownBy(() -> log.write("two\n")).isInstanceOf(LeaseLostException.class);
        assertThat(api.calls()).hasSize(2);
        assertThat(api.text(3)).isEqualTo("one\n");
    }
}
