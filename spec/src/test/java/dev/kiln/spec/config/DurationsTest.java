package dev.kiln.spec.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {

    @Test
    void parse_reads_each_unit() {
        assertThat(Durations.parse("600s")).contains(Duration.ofSeconds(600));
        assertThat(Durations.parse("1.5s")).contains(Duration.ofMillis(1500));
        assertThat(Durations.parse("10m")).contains(Duration.ofMinutes(10));
        assertThat(Durations.parse("3h")).contains(Duration.ofHours(3));
        assertThat(Durations.parse("250ms")).contains(Duration.ofMillis(250));
        assertThat(Durations.parse(" 5s ")).as("surrounding blanks").contains(Duration.ofSeconds(5));
    }

    @Test
    void parse_refuses_what_is_not_a_positive_duration() {
        assertThat(Durations.parse("10")).isEmpty();
        assertThat(Durations.parse("abc")).isEmpty();
        assertThat(Durations.parse("-5s")).isEmpty();
        assertThat(Durations.parse("0s")).isEmpty();
        assertThat(Durations.parse("")).isEmpty();
        assertThat(Durations.parse("5S")).isEmpty();
        assertThat(Durations.parse("1234567890s")).as("more than nine digits").isEmpty();
    }

    @Test
    void the_largest_durations_do_not_overflow() {
        assertThat(Durations.parse("999999999h")).contains(Duration.ofHours(999_999_999));
    }

    @Test
    void format_prints_seconds_as_cloud_build_does() {
        assertThat(Durations.format(Duration.ofMinutes(10))).isEqualTo("600s");
        assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1.5s");
        assertThat(Durations.format(Duration.ofMillis(250))).isEqualTo("0.25s");
        assertThat(Durations.format(Duration.ofMillis(1))).isEqualTo("0.001s");
    }

    @Test
    void format_and_parse_round_trip() {
        for (String text : new String[] {"600s", "1.5s", "0.25s", "86400s"}) {
            assertThat(Durations.format(Durations.parse(text).orElseThrow())).isEqualTo(text);
        }
    }
}
