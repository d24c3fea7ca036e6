package dev.kiln.spec.config;

import static dev.kiln.spec.Fixtures.lines;
import static dev.kiln.spec.Fixtures.parse;
import static dev.kiln.spec.Fixtures.problems;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** YAML merge keys, as configs in the wild share a step's settings: written keys win, then the first merged. */
class MergeKeysTest {

    @Test
    void steps_share_a_block_through_a_merge_key_and_their_own_keys_win() {
        BuildSpec spec = parse("""
                steps:
                  - id: build
                    <<: &defaults
                      env: [A=1]
                      dir: app
                    args: [make]
                  - id: test
                    <<: *defaults
                    dir: tests
                    args: [make, test]
                """);

        assertThat(spec.steps()).extracting(Step::env).containsExactly(List.of("A=1"), List.of("A=1"));
        assertThat(spec.steps()).extracting(Step::dir).containsExactly("app", "tests");
        assertThat(lines(spec.warnings())).isEmpty();
    }

    @Test
    void of_several_merged_mappings_the_first_wins() {
        BuildSpec spec = parse("""
                steps:
                  - <<: &one {dir: one, env: [FROM=one]}
                    args: [x]
                  - <<: &two {dir: two, timeout: 30s}
                    args: [y]
                  - <<: [*one, *two]
                    args: [z]
                """);

        Step s = spec.steps().get(2);
        assertThat(s.dir()).isEqualTo("one");
        assertThat(s.env()).containsExactly("FROM=one");
        assertThat(s.timeout()).hasSeconds(30);
    }

    @Test
    void a_merge_of_something_else_than_a_mapping_is_refused_at_its_position() {
        assertThat(lines(problems("""
                steps:
                  - <<: [a, b]
                    args: [x]
                """))).containsExactly(
                "build.yaml:2:10: a merge key '<<' takes a mapping or a list of mappings (e.g. <<: *defaults)");
    }

    @Test
    void a_quoted_key_is_a_field_name_not_a_merge() {
        assertThat(lines(problems("""
                steps:
                  - '<<': {dir: a}
                    args: [x]
                """))).singleElement().asString().contains("unknown field '<<'");
    }
}
