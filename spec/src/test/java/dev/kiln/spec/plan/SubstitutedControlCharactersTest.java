package dev.kiln.spec.plan;

import static dev.kiln.spec.plan.PlannerTest.SUBMIT;
import static dev.kiln.spec.plan.PlannerTest.plan;
import static dev.kiln.spec.plan.PlannerTest.refused;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The parser cannot see what a substitution brings in: the planner checks the expanded text with
 * the parser's rules, so a plan never holds a control character an agent could not run.
 */
class SubstitutedControlCharactersTest {

    static BuildContext given(String key, String value) {
        return BuildContext.submit("b", "p", Map.of(key, value));
    }

    @Test
    void a_nul_given_with_the_build_is_refused_where_it_lands() {
        assertThat(refused("steps:\n  - id: greet\n    args: [echo, $_X]\n", given("_X", "a\0b"))).containsExactly(
                "build.yaml:3:18: step 'greet': args: contains a control character (U+0000) after substitutions");
    }

    @Test
    void a_line_break_from_the_file_is_fine_in_args_but_not_in_a_dir() {
        String yaml = """
                substitutions:
                  _LINES: "one\\ntwo"
                steps:
                  - args: [echo, $_LINES]
                    dir: out/$_LINES
                """;

        assertThat(refused(yaml, SUBMIT)).containsExactly(
                "build.yaml:5:10: step 'Step #0': dir: contains a control character (U+000A) after substitutions");
    }

    @Test
    void every_field_a_substitution_reaches_is_checked() {
        assertThat(refused("""
                options:
                  env: ['A=$_NUL']
                steps:
                  - name: 'img$_TAB'
                    entrypoint: 'run$_TAB'
                    env: ['$_TAB=1', 'B=$_NUL']
                    args: [x]
                  - args: [y]
                images: ['img$_TAB']
                """, BuildContext.submit("b", "p", Map.of("_NUL", "\0", "_TAB", "\t")))).containsExactly(
                "build.yaml:2:9: options.env: contains a control character (U+0000) after substitutions",
                "build.yaml:4:11: step 'Step #0': name: contains a control character (U+0009) after substitutions",
                "build.yaml:5:17: step 'Step #0': entrypoint: contains a control character (U+0009) after substitutions",
                "build.yaml:6:11: step 'Step #0': env: contains a control character (U+0009) in the variable name"
                        + " after substitutions",
                "build.yaml:6:22: step 'Step #0': env: contains a control character (U+0000) after substitutions",
                "build.yaml:9:10: images: contains a control character (U+0009) after substitutions");
    }

    @Test
    void a_value_script_steps_would_get_in_their_environment_is_checked_once() {
        assertThat(refused("steps:\n  - script: echo $_X\n  - script: echo again\n", given("_X", "\0")))
                .containsExactly("build.yaml:1:1: substitution '_X': contains a control character (U+0000);"
                        + " script steps get it as an environment variable");
    }

    @Test
    void a_built_in_value_is_checked_too() {
        BuildContext trigger = new BuildContext("b", "p", "repo", "main", "", "abc", "on\u001Bpush", Map.of());

        assertThat(refused("steps:\n  - script: make\n", trigger)).containsExactly(
                "build.yaml:1:1: substitution 'TRIGGER_NAME': contains a control character (U+001B);"
                        + " script steps get it as an environment variable");
    }

    @Test
    void tabs_and_line_breaks_brought_in_by_substitutions_plan_where_data_may_hold_them() {
        BuildPlan plan = plan("""
                steps:
                  - args: [sh, -c, $_CMD]
                    env: ['NOTE=$_CMD']
                  - script: echo "$_CMD"
                """, given("_CMD", "echo a\n\techo b\r\n"));

        assertThat(plan.steps().get(0).args()).containsExactly("sh", "-c", "echo a\n\techo b\r\n");
        assertThat(plan.steps().get(0).env()).containsExactly("NOTE=echo a\n\techo b\r\n");
        assertThat(plan.steps().get(1).env()).contains("_CMD=echo a\n\techo b\r\n");
    }
}
