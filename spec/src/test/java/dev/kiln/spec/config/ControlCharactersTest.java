package dev.kiln.spec.config;

import static dev.kiln.spec.Fixtures.lines;
import static dev.kiln.spec.Fixtures.parse;
import static dev.kiln.spec.Fixtures.problems;
import static dev.kiln.spec.Fixtures.refused;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Control characters reach a config only through escapes ({@code "\0"} in YAML, {@code "\u0000"}
 * in JSON), and an agent cannot run what holds them: refused with a position, never passed on.
 */
class ControlCharactersTest {

    @Nested
    class InConfigs {
        @Test
        void a_nul_in_dir_is_refused_at_the_value() {
            assertThat(lines(problems("steps:\n  - id: build\n    args: [make]\n    dir: \"src\\0\"\n")))
                    .containsExactly("build.yaml:4:10: step 'build': dir: contains a control character (U+0000)");
        }

        @ParameterizedTest(name = "{0}")
        @CsvSource(delimiter = '|', value = {
                "dir: \"a\\tb\"                | 3:10 | dir: contains a control character (U+0009)",
                "dir: \"a\\x7fb\"              | 3:10 | dir: contains a control character (U+007F)",
                "entrypoint: \"make\\n\"       | 3:17 | entrypoint: contains a control character (U+000A)",
                "name: \"alpine\\r\"           | 3:11 | name: contains a control character (U+000D)",
                "waitFor: [\"a\\nb\"]          | 3:15 | waitFor: contains a control character (U+000A)",
                "secretEnv: [\"KEY\\t\"]       | 3:17 | secretEnv: contains a control character (U+0009)",
                "timeout: \"10s\\0\"           | 3:14 | timeout: contains a control character (U+0000)",
                "allowFailure: \"true\\0\"     | 3:19 | allowFailure: contains a control character (U+0000)",
                "allowExitCodes: [\"1\\0\"]    | 3:22 | allowExitCodes: contains a control character (U+0000)",
                "env: [\"A\\tB=1\"]            | 3:11 | env: contains a control character (U+0009) in the variable name",
                "env: [\"A=1\\0\"]             | 3:11 | env: contains a control character (U+0000)",
                "env: [\"A=\\a\"]              | 3:11 | env: contains a control character (U+0007)",
        })
        void a_control_character_where_the_field_allows_none_is_refused_alone(String field, String at, String message) {
            assertThat(lines(problems("steps:\n  - args: [x]\n    " + field.strip() + "\n")))
                    .containsExactly("build.yaml:" + at + ": step #0: " + message);
        }

        @Test
        void args_may_hold_tabs_and_line_breaks_but_no_other_control_character() {
            assertThat(lines(problems("steps:\n  - args: [echo, \"a\\0\", \"\\e[31m\", \"\\x7f\", \"a\\tb\\r\\n\"]\n"))).containsExactly(
                    "build.yaml:2:18: step #0: args: contains a control character (U+0000)",
                    "build.yaml:2:25: step #0: args: contains a control character (U+001B)",
                    "build.yaml:2:35: step #0: args: contains a control character (U+007F)");
        }

        @Test
        void tabs_and_line_breaks_are_fine_in_args_scripts_env_values_and_substitutions() {
            BuildSpec spec = parse("""
                    substitutions:
                      _NOTE: "line one\\nline two"
                    steps:
                      - args: [sh, -c, "echo a\\n\\techo b\\r\\n"]
                        env: ["PEM=-----BEGIN-----\\nabc\\n-----END-----"]
                      - script: "make\\tall\\n"
                        env: [NOTE=$_NOTE]
                    """);

            assertThat(spec.steps().get(0).args()).containsExactly("sh", "-c", "echo a\n\techo b\r\n");
            assertThat(spec.steps().get(0).env()).containsExactly("PEM=-----BEGIN-----\nabc\n-----END-----");
            assertThat(spec.steps().get(1).script()).isEqualTo("make\tall\n");
            assertThat(spec.substitutions()).containsEntry("_NOTE", "line one\nline two");
        }

        @Test
        void a_nul_in_a_script_is_refused_without_also_saying_there_is_nothing_to_run() {
            assertThat(lines(problems("steps:\n  - script: \"make\\0\"\n  - entrypoint: \"\\0\"\n"))).containsExactly(
                    "build.yaml:2:13: step #0: script: contains a control character (U+0000)",
                    "build.yaml:3:17: step #1: entrypoint: contains a control character (U+0000)");
        }

        @Test
        void an_id_with_a_control_character_is_refused_and_named_without_it_in_every_message() {
            assertThat(lines(problems("steps:\n  - id: \"a\\nb\"\n    args: [x]\n    dir: /etc\n"))).containsExactly(
                    "build.yaml:2:9: step 'a<U+000A>b': id: contains a control character (U+000A)",
                    "build.yaml:4:10: step 'a<U+000A>b': dir must be a relative path inside the workspace, not '/etc'");
        }

        @Test
        void top_level_fields_are_checked_too() {
            assertThat(lines(problems("""
                    substitutions:
                      _A: "x\\0"
                    options:
                      env: ["A=\\0"]
                      substitutionOption: "MUST_MATCH\\0"
                    images: ["img\\n"]
                    tags: ["t\\t"]
                    timeout: "1s\\0"
                    steps:
                      - args: [x]
                    """))).containsExactly(
                    "build.yaml:2:7: substitutions._A: contains a control character (U+0000)",
                    "build.yaml:4:9: options.env: contains a control character (U+0000)",
                    "build.yaml:5:23: options.substitutionOption: contains a control character (U+0000)",
                    "build.yaml:6:10: images: contains a control character (U+000A)",
                    "build.yaml:7:8: tags: contains a control character (U+0009)",
                    "build.yaml:8:10: timeout: contains a control character (U+0000)");
        }

        @Test
        void a_nul_in_a_json_config_is_refused_with_its_position() {
            String json = "{\n  \"steps\": [\n    {\"args\": [\"x\"], \"dir\": \"a\\u0000b\"}\n  ]\n}\n";

            assertThat(lines(refused("cloudbuild.json", json).problems()))
                    .containsExactly("cloudbuild.json:3:28: step #0: dir: contains a control character (U+0000)");
        }

        @Test
        void an_env_entry_after_a_refused_one_is_still_placed_at_its_own_line() {
            assertThat(lines(problems("steps:\n  - args: [x]\n    env:\n      - \"A=\\0\"\n      - [B]\n      - C\n")))
                    .containsExactly(
                            "build.yaml:4:9: step #0: env: contains a control character (U+0000)",
                            "build.yaml:5:9: steps[0].env[1] must be a single value, not a list",
                            "build.yaml:6:9: steps[0].env: 'C' must have the form KEY=VALUE");
        }

        @Test
        void a_raw_nul_byte_is_not_yaml() {
            assertThat(lines(problems("steps:\n  - args: [a\0b]\n"))).singleElement().asString()
                    .startsWith("build.yaml:1:1: invalid YAML:");
        }
    }

    @Nested
    class Rules {
        @Test
        void none_refuses_every_control_character_and_nothing_else() {
            for (char c = 0; c < 0x20; c++) {
                assertThat(ControlCharacters.NONE.problem("a" + c)).isEqualTo(String.format(
                        "contains a control character (U+%04X)", (int) c));
            }
            assertThat(ControlCharacters.NONE.problem("\u007F")).isEqualTo("contains a control character (U+007F)");
            assertThat(ControlCharacters.NONE.problem("é ünïcode ✓ ~ \u00A0")).isNull();
        }

        @Test
        void tabs_and_line_breaks_are_the_only_ones_data_may_hold() {
            assertThat(ControlCharacters.TABS_AND_LINE_BREAKS.problem("a\tb\nc\r\n")).isNull();
            assertThat(ControlCharacters.TABS_AND_LINE_BREAKS.problem("a\nb\0")).isEqualTo("contains a control character (U+0000)");
            assertThat(ControlCharacters.TABS_AND_LINE_BREAKS.problem("\u000B")).isEqualTo("contains a control character (U+000B)");
        }

        @Test
        void an_env_entry_is_strict_in_its_name_and_lenient_in_its_value() {
            assertThat(ControlCharacters.ENV_ENTRY.problem("KEY=a\tb\nc")).isNull();
            assertThat(ControlCharacters.ENV_ENTRY.problem("K\tEY=1")).endsWith("(U+0009) in the variable name");
            assertThat(ControlCharacters.ENV_ENTRY.problem("KEY\n")).endsWith("(U+000A) in the variable name");
            assertThat(ControlCharacters.ENV_ENTRY.problem("KEY=\0")).isEqualTo("contains a control character (U+0000)");
            assertThat(ControlCharacters.ENV_ENTRY.problem("A=b=\t")).as("the first '=' ends the name").isNull();
        }

        @Test
        void shown_writes_control_characters_as_code_points() {
            assertThat(ControlCharacters.shown("a\0b\nc")).isEqualTo("a<U+0000>b<U+000A>c");
            assertThat(ControlCharacters.shown("plain")).isEqualTo("plain");
        }
    }
}
