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

    private static final String SECRET = "hf_T0k3n/with+odd chars?&=";

    /** The secret base64-encoded inside a longer text, at each of the three alignments, in both alphabets. */
    @Test
    void base64_forms_are_masked_at_every_alignment_and_in_both_alphabets() throws IOException {
        for (String prefix : List.of("", "a", "ab", "abc")) {
            byte[] plain = (prefix + SECRET + "!").getBytes(StandardCharsets.UTF_8);
            String std = java.util.Base64.getEncoder().encodeToString(plain);
            String url = java.util.Base64.getUrlEncoder().encodeToString(plain);
            for (String encoded : List.of(std, url)) {
                String out = read(Masking.wrap(trickle("token: " + encoded + "\n"), List.of(SECRET)));
                assertThat(out).as("prefix '%s', %s", prefix, encoded).contains("***").startsWith("token: ");
                // Whatever is left decodes to no part of the secret longer than a few bytes at its edges.
                assertThat(out).doesNotContain(encoded.substring(prefix.length() * 4 / 3 + 3, encoded.length() - 6));
            }
        }
    }

    @Test
    void url_encoded_forms_are_masked() throws IOException {
        String form = java.net.URLEncoder.encode(SECRET, StandardCharsets.UTF_8);
        String spaces = form.replace("+", "%20");
        String lower = java.util.regex.Pattern.compile("%[0-9A-F]{2}").matcher(spaces).replaceAll(r -> r.group().toLowerCase());
        String out = read(Masking.wrap(trickle("a=" + form + " b=" + spaces + " c=" + lower), List.of(SECRET)));
        assertThat(out).isEqualTo("a=*** b=*** c=***");
    }

    @Test
    void the_masker_holds_back_only_what_could_start_a_secret_and_flushes_it_at_the_end() {
        SecretMasker m = new SecretMasker(List.of("s3cret-pass"));
        byte[] first = "one s3cr".getBytes(StandardCharsets.UTF_8);
        assertThat(new String(m.feed(first, 0, first.length), StandardCharsets.UTF_8)).isEqualTo("one ");
        assertThat(m.held()).isEqualTo(4);
        byte[] second = "et-pass two s".getBytes(StandardCharsets.UTF_8);
        assertThat(new String(m.feed(second, 0, second.length), StandardCharsets.UTF_8)).isEqualTo("*** two ");
        assertThat(new String(m.flush(), StandardCharsets.UTF_8)).isEqualTo("s");
        assertThat(new SecretMasker(List.of("abc")).isEmpty()).as("too short to mask").isTrue();
    }
}
