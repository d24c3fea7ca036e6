package dev.kiln.agent.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class MaskingTest {
    /** Hands out one byte per read, as a slow step's output may arrive. */
    private static InputStream trickle(String s) {
        return new FilterInputStream(new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8))) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return super.read(b, off, Math.min(1, len));
            }
        };
    }

    private static String read(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void a_secret_split_across_reads_is_masked_and_everything_else_passes_unchanged() throws IOException {
        InputStream in = Masking.wrap(trickle("login s3cret-pass ok; again:s3cret-pass\nalmost s3cret-pas\ns3cr"),
                List.of("s3cret-pass", "xy"));
        assertThat(read(in)).isEqualTo("login *** ok; again:***\nalmost s3cret-pas\ns3cr");
    }

    @Test
    void text_that_only_begins_like_a_secret_is_not_held_back_once_it_differs() throws IOException {
        InputStream in = Masking.wrap(trickle("s3s3cret-pass"), List.of("s3cret-pass"));
        assertThat(read(in)).isEqualTo("s3***");
        InputStream none = new ByteArrayInputStream(new byte[] {1, 2});
        assertThat(Masking.wrap(none, List.of())).isSameAs(none);
    }
}
