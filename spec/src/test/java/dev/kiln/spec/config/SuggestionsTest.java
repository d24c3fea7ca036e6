package dev.kiln.spec.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SuggestionsTest {

    @Test
    void inserting_deleting_replacing_or_swapping_neighbours_is_one_edit_each() {
        assertThat(Suggestions.distance("args", "args")).isZero();
        assertThat(Suggestions.distance("arg", "args")).isEqualTo(1);
        assertThat(Suggestions.distance("argss", "args")).isEqualTo(1);
        assertThat(Suggestions.distance("argz", "args")).isEqualTo(1);
        assertThat(Suggestions.distance("agrs", "args")).isEqualTo(1);
        assertThat(Suggestions.distance("", "abc")).isEqualTo(3);
    }

    @Test
    void the_closest_candidate_is_suggested_whatever_its_case() {
        assertThat(Suggestions.didYouMean("tiemout", List.of("tags", "timeout", "steps")))
                .isEqualTo("; did you mean 'timeout'?");
        assertThat(Suggestions.didYouMean("WAITFOR", List.of("waitFor"))).isEqualTo("; did you mean 'waitFor'?");
    }

    @Test
    void nothing_is_suggested_for_a_word_too_far_from_every_candidate() {
        assertThat(Suggestions.didYouMean("colour", SchemaMapper.TOP_FIELDS)).isEmpty();
        assertThat(Suggestions.didYouMean("c", List.of("a"))).as("a suggestion keeps something of the word").isEmpty();
        assertThat(Suggestions.didYouMean("x", List.of())).isEmpty();
    }

    @Test
    void nothing_is_worked_out_for_a_very_long_word() {
        String word = "x".repeat(Suggestions.MAX_WORD + 1);

        assertThat(Suggestions.didYouMean(word, List.of(word + "y"))).isEmpty();
        assertThat(Suggestions.didYouMean(word.substring(1), List.of(word))).as("at the limit").isNotEmpty();
    }
}
