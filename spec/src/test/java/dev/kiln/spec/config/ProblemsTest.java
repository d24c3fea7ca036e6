package dev.kiln.spec.config;

import static dev.kiln.spec.Fixtures.lines;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The bounded problem list the parser and the planner share. */
class ProblemsTest {
    private final Problems problems = new Problems("build.yaml");

    List<String> thrown() {
        ConfigException e = catchThrowableOfType(ConfigException.class, problems::throwIfAny);
        assertThat(e).as("problems should be thrown").isNotNull();
        return lines(e.problems());
    }

    static SourceMark at(int line, int column) {
        return new SourceMark("build.yaml", line, column);
    }

    @Test
    void nothing_is_thrown_without_errors_even_with_warnings() {
        problems.warn(at(2, 3), "a warning");

        assertThatCode(problems::throwIfAny).doesNotThrowAnyException();
        assertThat(lines(problems.warnings())).containsExactly("build.yaml:2:3: a warning");
    }

    @Test
    void errors_come_out_in_file_order_and_in_the_order_found_at_one_place() {
        problems.error(at(3, 1), "third");
        problems.error(at(1, 9), "second");
        problems.error(null, "first, at the top");
        problems.error(at(3, 1), "fourth");

        assertThat(thrown()).containsExactly("build.yaml:1:1: first, at the top", "build.yaml:1:9: second",
                "build.yaml:3:1: third", "build.yaml:3:1: fourth");
    }

    @Test
    void errors_past_the_limit_are_counted_and_told_in_one_line() {
        for (int i = 0; i < Problems.MAX_PROBLEMS + 5; i++) {
            problems.error(at(i + 1, 1), "problem " + i);
        }
        assertThat(problems.full()).as("asking counts the problem the caller skips").isTrue();

        assertThat(thrown()).hasSize(Problems.MAX_PROBLEMS + 1)
                .last().isEqualTo("build.yaml:1:1: ... and 6 more problems not listed");
    }

    @Test
    void a_long_message_is_clipped() {
        problems.error(at(1, 1), "x".repeat(2 * Problems.MAX_MESSAGE));
        problems.warn(at(1, 1), "y".repeat(2 * Problems.MAX_MESSAGE));

        assertThat(thrown()).singleElement().asString().endsWith("x...").hasSize("build.yaml:1:1: ".length()
                + Problems.MAX_MESSAGE + 3);
        assertThat(problems.warnings()).singleElement().extracting(ConfigProblem::message).asString()
                .hasSize(Problems.MAX_MESSAGE + 3);
    }

    @Test
    void the_same_problem_at_the_same_place_is_told_once() {
        problems.error(at(2, 5), "unknown substitution '$_A'");
        problems.error(at(2, 5), "unknown substitution '$_A'");
        problems.error(at(3, 5), "unknown substitution '$_A'");
        problems.error(at(2, 5), "another problem");
        problems.warn(at(4, 1), "a warning");
        problems.warn(at(4, 1), "a warning");

        assertThat(thrown()).containsExactly("build.yaml:2:5: unknown substitution '$_A'",
                "build.yaml:2:5: another problem", "build.yaml:3:5: unknown substitution '$_A'");
        assertThat(lines(problems.warnings())).containsExactly("build.yaml:4:1: a warning");
    }

    @Test
    void a_repeated_problem_does_not_count_towards_the_limit() {
        for (int i = 0; i < 2 * Problems.MAX_PROBLEMS; i++) {
            problems.error(at(1, 1), "the same");
        }

        assertThat(thrown()).containsExactly("build.yaml:1:1: the same");
    }
}
