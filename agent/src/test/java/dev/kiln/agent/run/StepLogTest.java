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
    void chunksAreSentOneAfterTheOtherWithTheirOffsets() throws IOException {
        log.write("hello ");
        log.write("wörld\n");

        assertThat(api.text(3)).isEqualTo("hello wörld\n");
        assertThat(api.calls()).containsExactly("3@0+6", "3@6+7");
        assertThat(log.size()).isEqualTo(13);
    }

    @Test
    void onlyTheGivenSliceOfTheArrayIsSent() throws IOException {
        byte[] data = "xxabcxx".getBytes(StandardCharsets.US_ASCII);

        log.write(data, 2, 3);

        assertThat(api.text(3)).isEqualTo("abc");
    }

    @Test
    void anEmptyWriteSendsNothing() throws IOException {
        log.write(new byte[10], 5, 0);
        log.write("");

        assertThat(api.calls()).isEmpty();
    }

    @Test
    void aSendThatNeverArrivedIsRetriedFromTheSameOffset() throws IOException {
        log.write("one\n");
        api.failNext(FAIL_BEFORE_STORE);

        log.write("two\n");

        assertThat(api.calls()).containsExactly("3@0+4", "3@4+4", "3@4+4");
        assertThat(api.text(3)).isEqualTo("one\ntwo\n");
        assertThat(log.size()).isEqualTo(8);
    }

    @Test
    void aSendWhoseReplyWasLostIsRetriedFromTheSameOffsetAndNothingIsDoubled() throws IOException {
        api.failNext(FAIL_AFTER_STORE, FAIL_AFTER_STORE);

        log.write("one\n");
        log.write("two\n");

        assertThat(api.calls()).containsExactly("3@0+4", "3@0+4", "3@0+4", "3@4+4");
        assertThat(api.text(3)).isEqualTo("one\ntwo\n");
        assertThat(log.size()).isEqualTo(8);
    }

    @Test
    void whenTheServerLostBytesTheNextChunkResumesAtItsEnd() throws IOException {
        log.write("hello ");
        api.truncate(3, 2);

        log.write("world");

        assertThat(api.text(3)).isEqualTo("heworld");
        assertThat(api.calls()).containsExactly("3@0+6", "3@6+5", "3@2+5");
        assertThat(log.size()).isEqualTo(7);
    }

    @Test
    void aLostLeaseIsNotRetried() throws IOException {
        log.write("one\n");
        api.failNext(LEASE_LOST);

        assertThatThrownBy(() -> log.write("two\n")).isInstanceOf(LeaseLostException.class);
        assertThat(api.calls()).hasSize(2);
        assertThat(api.text(3)).isEqualTo("one\n");
    }
}
