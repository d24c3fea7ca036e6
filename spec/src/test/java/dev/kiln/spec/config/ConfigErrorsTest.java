package dev.kiln.spec.config;

import static dev.kiln.spec.Fixtures.lines;
import static dev.kiln.spec.Fixtures.parse;
import static dev.kiln.spec.Fixtures.problems;
import static dev.kiln.spec.Fixtures.refused;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Configs that must be refused, and exactly where and why. */
class ConfigErrorsTest {

    @Test
    void an_unknown_waitFor_names_file_line_and_column_of_the_id() {
        List<ConfigProblem> problems = problems("""
                steps:
                - id: fetch
                  args: [git, fetch]
                - id: build
                  args: [make]
                  env:
                  - CC=gcc
                  timeout: 300s
                - id: train
                  args: [python, train.py]
                  waitFor:
                    - prep
                """);

        assertThat(lines(problems)).containsExactly("build.yaml:12:7: step 'train' waits for unknown step 'prep'");
        ConfigProblem p = problems.get(0);
        assertThat(p.mark()).isEqualTo(new SourceMark("build.yaml", 12, 7));
        assertThat(p.message()).isEqualTo("step 'train' waits for unknown step 'prep'");
    }

    @Test
    void an_unknown_waitFor_in_a_flow_list_suggests_the_id_meant() {
        assertThat(lines(problems("""
                steps:
                  - id: prep
                    args: [a]
                  - id: train
                    args: [b]
                    waitFor: [prpe]
                """))).containsExactly("build.yaml:6:15: step 'train' waits for unknown step 'prpe'; did you mean 'prep'?");
    }

    @Test
    void the_exception_message_lists_every_problem_one_per_line() {
        ConfigException e = refused("build.yaml", "steps:\n  - args: [x]\n    foo: 1\n    bar: 2\n");

        assertThat(e.getMessage()).isEqualTo("build.yaml:3:5: step #0: unknown field 'foo'\n"
                + "build.yaml:4:5: step #0: unknown field 'bar'");
    }

    @Test
    void several_problems_in_one_file_are_all_reported_at_once_in_file_order() {
        List<ConfigProblem> problems = problems("""
                timeout: abc
                steps:
                  - id: a
                    args: [x]
                    entrypiont: sh
                    timeout: 10
                  - id: b
                    args: [y]
                    waitFor: [c]
                  - id: a
                    script: echo
                """);

        assertThat(lines(problems)).containsExactly(
                "build.yaml:1:10: timeout: 'abc' is not a duration; write e.g. 600s, 1.5s or 10m",
                "build.yaml:5:5: step 'a': unknown field 'entrypiont'; did you mean 'entrypoint'?",
                "build.yaml:6:14: step 'a': timeout: '10' is not a duration; write e.g. 600s, 1.5s or 10m",
                "build.yaml:9:15: step 'b' waits for unknown step 'c'",
                "build.yaml:10:9: step 'a': duplicate id; step #0 has it already");
    }

    @Test
    void a_problem_in_a_json_config_names_line_and_column_too() {
        String json = "{\n\t\"steps\": [\n\t\t{\n\t\t\t\"args\": [\"echo\"],\n\t\t\t\"waitfor\": [\"-\"]\n\t\t}\n\t]\n}\n";

        assertThat(lines(refused("cloudbuild.json", json).problems()))
                .containsExactly("cloudbuild.json:5:4: step #0: unknown field 'waitfor'; did you mean 'waitFor'?");
    }

    @Nested
    class MalformedYaml {
        @Test
        void bad_indentation_names_line_and_column() {
            assertThat(lines(problems("steps:\n  - name: x\n     args: [a]\n")))
                    .containsExactly("build.yaml:3:10: invalid YAML: mapping values are not allowed here");
        }

        @Test
        void an_unclosed_bracket_names_where_the_file_ends_and_where_the_bracket_opened() {
            assertThat(lines(problems("steps:\n  - args: [a, b\n"))).containsExactly(
                    "build.yaml:3:1: invalid YAML: expected ',' or ']', but got <stream end>"
                            + " (while parsing a flow sequence that starts at build.yaml:2:11)");
        }

        @Test
        void an_unclosed_bracket_followed_by_more_fields_names_where_it_went_wrong() {
            List<ConfigProblem> problems = problems("steps:\n  - args: [a, b\n    id: x\n");

            assertThat(problems).singleElement().satisfies(p -> {
                assertThat(p.mark()).isEqualTo(new SourceMark("build.yaml", 3, 7));
                assertThat(p.message()).startsWith("invalid YAML: expected ',' or ']'").contains("build.yaml:2:11");
            });
        }

        @Test
        void an_unclosed_quote_names_where_it_opened() {
            assertThat(lines(problems("steps:\n  - args: ['a, b]\n"))).singleElement().asString()
                    .startsWith("build.yaml:3:1: invalid YAML:").contains("quoted scalar").contains("build.yaml:2:12");
        }

        @Test
        void a_tab_used_for_indentation_in_yaml_names_line_and_column() {
            assertThat(lines(problems("steps:\n\t- args: [a]\n"))).singleElement().asString()
                    .startsWith("build.yaml:2:1: invalid YAML:").contains("TAB");
        }

        @Test
        void two_documents_in_one_file_are_refused() {
            assertThat(lines(problems("steps:\n  - args: [x]\n---\nsteps: []\n"))).singleElement().asString()
                    .startsWith("build.yaml:3:1: invalid YAML:").contains("single document");
        }

        @Test
        void an_undefined_alias_is_refused() {
            assertThat(lines(problems("steps:\n  - args: *nope\n"))).singleElement().asString()
                    .startsWith("build.yaml:2:11: invalid YAML:").contains("nope");
        }
    }

    @Nested
    class UnknownFields {
        @ParameterizedTest
        @CsvSource({
                "waitfor, waitFor",
                "entrypiont, entrypoint",
                "agrs, args",
                "scirpt, script",
                "secretenv, secretEnv",
                "allowFailures, allowFailure",
                "tiemout, timeout",
        })
        void an_unknown_step_field_suggests_the_field_meant(String typo, String meant) {
            assertThat(lines(problems("steps:\n  - args: [x]\n    " + typo + ": y\n")))
                    .contains("build.yaml:3:5: step #0: unknown field '" + typo + "'; did you mean '" + meant + "'?");
        }

        @Test
        void unknown_top_level_and_options_fields_suggest_the_field_meant() {
            assertThat(lines(problems("""
                    step:
                      - args: [x]
                    subsitutions: {}
                    options:
                      machinetype: E2_HIGHCPU_8
                      substitution_opton: ALLOW_LOOSE
                    """))).containsExactly(
                    "build.yaml:1:1: config: unknown field 'step'; did you mean 'steps'?",
                    "build.yaml:1:1: config has no 'steps'",
                    "build.yaml:3:1: config: unknown field 'subsitutions'; did you mean 'substitutions'?",
                    "build.yaml:5:3: options: unknown field 'machinetype'; did you mean 'machineType'?",
                    "build.yaml:6:3: options: unknown field 'substitution_opton'; did you mean 'substitution_option'?");
        }

        @Test
        void a_field_like_nothing_known_gets_no_suggestion() {
            assertThat(lines(problems("colour: red\nsteps:\n  - args: [x]\n    '<<': {}\n    c: 1\n"))).containsExactly(
                    "build.yaml:1:1: config: unknown field 'colour'",
                    "build.yaml:4:5: step #0: unknown field '<<'",
                    "build.yaml:5:5: step #0: unknown field 'c'");
        }

        @Test
        void an_unknown_field_is_reported_with_the_steps_id_when_it_has_one() {
            assertThat(lines(problems("steps:\n  - entrypiont: sh\n    id: build\n    args: [x]\n")))
                    .containsExactly("build.yaml:2:5: step 'build': unknown field 'entrypiont'; did you mean 'entrypoint'?");
        }
    }

    @Nested
    class Graph {
        @Test
        void two_steps_waiting_for_each_other_are_refused_naming_both() {
            assertThat(lines(problems("""
                    steps:
                      - id: a
                        args: [x]
                        waitFor: [b]
                      - id: b
                        args: [y]
                        waitFor: [a]
                    """))).containsExactly("build.yaml:2:5: waitFor forms a cycle: 'a' -> 'b' -> 'a'");
        }

        @Test
        void a_longer_cycle_is_refused_naming_every_step_on_it() {
            assertThat(lines(problems("""
                    steps:
                      - id: setup
                        args: [x]
                      - id: a
                        args: [x]
                        waitFor: [c]
                      - id: b
                        args: [y]
                        waitFor: [a, setup]
                      - id: c
                        args: [z]
                        waitFor: [b]
                    """))).containsExactly("build.yaml:4:5: waitFor forms a cycle: 'a' -> 'c' -> 'b' -> 'a'");
        }

        @Test
        void waiting_for_a_later_step_that_implicitly_waits_for_all_previous_ones_is_a_cycle() {
            assertThat(lines(problems("""
                    steps:
                      - id: a
                        args: [x]
                        waitFor: [b]
                      - id: b
                        args: [y]
                    """))).containsExactly("build.yaml:2:5: waitFor forms a cycle: 'a' -> 'b' -> 'a'");
        }

        @Test
        void waiting_for_a_later_step_is_fine_when_there_is_no_cycle() {
            BuildSpec spec = parse("""
                    steps:
                      - id: a
                        args: [x]
                        waitFor: [b]
                      - id: b
                        args: [y]
                        waitFor: ['-']
                    """);

            assertThat(spec.steps().get(0).waitFor()).containsExactly("b");
        }

        @Test
        void a_step_waiting_for_itself_is_refused() {
            assertThat(lines(problems("steps:\n  - id: a\n    args: [x]\n    waitFor: [a]\n")))
                    .containsExactly("build.yaml:4:15: step 'a': waits for itself");
        }

        @Test
        void duplicate_ids_are_refused_at_the_second_one() {
            assertThat(lines(problems("steps:\n  - id: a\n    args: [x]\n  - id: a\n    args: [y]\n")))
                    .containsExactly("build.yaml:4:9: step 'a': duplicate id; step #0 has it already");
        }

        @Test
        void dash_cannot_be_combined_with_step_ids() {
            assertThat(lines(problems("steps:\n  - id: a\n    args: [x]\n  - args: [y]\n    waitFor: ['-', a]\n")))
                    .containsExactly("build.yaml:5:14: step #1: waitFor '-' means 'start at once' and cannot be combined with step ids");
        }

        @ParameterizedTest
        @ValueSource(strings = {"'-'", "''", "'  '"})
        void an_id_that_is_blank_or_a_dash_is_refused(String id) {
            assertThat(lines(problems("steps:\n  - id: " + id + "\n    args: [x]\n"))).singleElement().asString()
                    .startsWith("build.yaml:2:9: step ").endsWith(": id must not be blank or '-'");
        }
    }

    @Nested
    class Structure {
        @Test
        void empty_steps_are_refused() {
            assertThat(lines(problems("steps: []\n")))
                    .containsExactly("build.yaml:1:8: 'steps' is empty; a build needs at least one step");
        }

        @Test
        void a_config_without_steps_is_refused() {
            assertThat(lines(problems("timeout: 60s\n"))).containsExactly("build.yaml:1:1: config has no 'steps'");
            assertThat(lines(problems("steps:\n"))).containsExactly("build.yaml:1:1: config has no 'steps'");
        }

        @Test
        void an_empty_file_is_refused() {
            assertThat(lines(problems(""))).containsExactly("build.yaml:1:1: config is empty; it needs 'steps'");
            assertThat(lines(problems("# only a comment\n"))).containsExactly("build.yaml:1:1: config is empty; it needs 'steps'");
        }

        @Test
        void a_config_that_is_not_a_mapping_is_refused() {
            assertThat(lines(problems("- args: [x]\n"))).containsExactly("build.yaml:1:1: config must be a mapping");
            assertThat(lines(problems("hello\n"))).containsExactly("build.yaml:1:1: config must be a mapping");
        }

        @Test
        void steps_that_are_not_a_list_are_refused() {
            assertThat(lines(problems("steps:\n  args: [x]\n")))
                    .containsExactly("build.yaml:2:3: 'steps' must be a list of steps");
        }

        @Test
        void a_step_that_is_not_a_mapping_is_refused() {
            assertThat(lines(problems("steps:\n  - echo hi\n")))
                    .containsExactly("build.yaml:2:5: step #0 must be a mapping with 'args' or 'script'");
        }

        @Test
        void a_step_that_is_not_a_mapping_does_not_upset_the_checks_of_the_steps_after_it() {
            assertThat(lines(problems("""
                    steps:
                      - echo hi
                      - id: a
                        args: [x]
                      - id: b
                        args: [y]
                        waitFor: [a]
                      - id: c
                        args: [z]
                        waitFor: [d]
                      - id: d
                        args: [w]
                    """))).containsExactly(
                    "build.yaml:2:5: step #0 must be a mapping with 'args' or 'script'",
                    "build.yaml:8:5: waitFor forms a cycle: 'c' -> 'd' -> 'c'");
        }

        @Test
        void a_step_with_nothing_to_run_is_refused() {
            assertThat(lines(problems("steps:\n  - id: a\n    env: [A=1]\n  - id: b\n    args:\n")))
                    .containsExactly("build.yaml:2:5: step 'a': nothing to run; give 'args' or 'script'",
                            "build.yaml:4:5: step 'b': nothing to run; give 'args' or 'script'");
        }

        @Test
        void script_cannot_be_combined_with_args_or_entrypoint() {
            assertThat(lines(problems("steps:\n  - script: make\n    args: [x]\n  - script: make\n    entrypoint: sh\n")))
                    .containsExactly("build.yaml:2:13: step #0: 'script' and 'args' cannot both be set",
                            "build.yaml:4:13: step #1: 'script' and 'entrypoint' cannot both be set");
        }

        @Test
        void duplicate_keys_in_a_mapping_are_refused() {
            assertThat(lines(problems("""
                    timeout: 60s
                    steps:
                      - args: [a]
                        args: [b]
                    substitutions:
                      _A: x
                      _A: y
                    timeout: 120s
                    """))).containsExactly(
                    "build.yaml:4:5: step #0: duplicate key 'args'",
                    "build.yaml:7:3: substitutions: duplicate or invalid key",
                    "build.yaml:8:1: config: duplicate key 'timeout'");
        }

        @Test
        void duplicate_unknown_keys_are_refused_too() {
            assertThat(lines(problems("steps:\n  - args: [x]\n    foo: 1\n    foo: 2\n"))).containsExactly(
                    "build.yaml:3:5: step #0: unknown field 'foo'",
                    "build.yaml:4:5: step #0: duplicate key 'foo'");
        }

        @Test
        void a_list_where_one_value_is_expected_is_refused() {
            assertThat(lines(problems("steps:\n  - id: [a, b]\n    args: [[x]]\n"))).containsExactly(
                    "build.yaml:2:9: steps[0].id must be a single value, not a list",
                    "build.yaml:3:12: steps[0].args[0] must be a single value, not a list");
        }

        @Test
        void a_mapping_where_a_list_is_expected_is_refused() {
            assertThat(lines(problems("steps:\n  - args: [x]\n    env: {A: b}\n")))
                    .containsExactly("build.yaml:3:10: steps[0].env must be a list of values, not a mapping");
        }

        @Test
        void env_entries_must_be_key_equals_value() {
            assertThat(lines(problems("options:\n  env: [A]\nsteps:\n  - args: [x]\n    env: ['=b', C=]\n"))).containsExactly(
                    "build.yaml:2:9: options.env: 'A' must have the form KEY=VALUE",
                    "build.yaml:5:11: steps[0].env: '=b' must have the form KEY=VALUE");
        }

        @ParameterizedTest
        @ValueSource(strings = {"/etc", "..", "../up", "a/../../b", "a\\\\..\\\\b"})
        void dir_must_stay_inside_the_workspace(String dir) {
            assertThat(lines(problems("steps:\n  - args: [x]\n    dir: \"" + dir + "\"\n"))).singleElement().asString()
                    .startsWith("build.yaml:3:10: step #0: dir must be a relative path inside the workspace");
        }

        @Test
        void bad_options_and_flags_are_refused() {
            assertThat(lines(problems("""
                    options:
                      substitutionOption: LOOSE
                    substitutions:
                      lower: x
                    steps:
                      - args: [x]
                        allowFailure: yes
                        allowExitCodes: [1, two]
                    """))).containsExactly(
                    "build.yaml:2:23: options.substitutionOption must be MUST_MATCH or ALLOW_LOOSE, not 'LOOSE'",
                    "build.yaml:4:3: substitutions: key 'lower' must start with '_' and use only A-Z, 0-9 and '_'",
                    "build.yaml:7:19: step #0: allowFailure must be true or false, not 'yes'",
                    "build.yaml:8:21: step #0: allowExitCodes must be whole numbers, not 'two'");
        }
    }

    @Nested
    class Durations {
        @ParameterizedTest
        @CsvSource({
                "600s, PT10M",
                "1.5s, PT1.5S",
                "10m, PT10M",
                "2h, PT2H",
                "250ms, PT0.25S",
                "0.5m, PT30S",
        })
        void durations_in_cloud_build_form_are_accepted(String text, Duration expected) {
            BuildSpec spec = parse("timeout: " + text + "\nqueueTtl: " + text + "\nsteps:\n  - args: [x]\n    timeout: " + text + "\n");

            assertThat(spec.timeout()).isEqualTo(expected);
            assertThat(spec.queueTtl()).isEqualTo(expected);
            assertThat(spec.steps().get(0).timeout()).isEqualTo(expected);
        }

        @ParameterizedTest
        @ValueSource(strings = {"10", "abc", "-5s", "0s", "0.0001s", "1.5", "s", "10 m", "1e3s", "10min", "PT10S", "''"})
        void durations_without_a_unit_negative_zero_or_garbage_are_refused(String text) {
            String shown = text.equals("''") ? "" : text;
            assertThat(lines(problems("steps:\n  - args: [x]\n    timeout: " + text + "\n")))
                    .containsExactly("build.yaml:3:14: step #0: timeout: '" + shown
                            + "' is not a duration; write e.g. 600s, 1.5s or 10m");
        }

        @Test
        void a_bad_queue_ttl_is_refused_with_its_position() {
            assertThat(lines(problems("queueTtl: 5\nsteps:\n  - args: [x]\n")))
                    .containsExactly("build.yaml:1:11: queueTtl: '5' is not a duration; write e.g. 600s, 1.5s or 10m");
        }
    }
}
