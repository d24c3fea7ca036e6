package dev.kiln.spec.plan;

import static dev.kiln.spec.plan.PlannerTest.SUBMIT;
import static dev.kiln.spec.plan.PlannerTest.TRIGGER;
import static dev.kiln.spec.plan.PlannerTest.plan;
import static dev.kiln.spec.plan.PlannerTest.refused;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Class 3 of issue 9: with {@code options.dynamicSubstitutions} (or a trigger), values name other
 * substitutions and built-ins and may use Cloud Build's bash-style operations.
 */
class DynamicSubstitutionsTest {
    /** A config whose one step echoes {@code expression}, with {@code _V} and {@code _P} defined. */
    static String config(String expression) {
        return """
                options:
                  dynamicSubstitutions: true
                substitutions:
                  _V: 'release-1.2.3'
                  _P: 'gs://bucket/dir/file.tar.gz'
                  _OUT: '%s'
                steps:
                  - args: [echo, $_OUT, '[$_V$_P]']
                """.formatted(expression.replace("'", "''"));
    }

    static List<Arguments> operations() {
        return List.of(
                Arguments.of("${_V}", "release-1.2.3"),
                Arguments.of("$PROJECT_ID/$_V", "my-project/release-1.2.3"),
                Arguments.of("${_V:8}", "1.2.3"),
                Arguments.of("${_V:0:7}", "release"),
                Arguments.of("${_V: -5}", "1.2.3"),
                Arguments.of("${_V:(-5):3}", "1.2"),
                Arguments.of("${_V:8:-2}", "1.2"),
                Arguments.of("${_V:99}", ""),
                Arguments.of("${#_V}", "13"),
                Arguments.of("${_P#*/}", "/bucket/dir/file.tar.gz"),
                Arguments.of("${_P##*/}", "file.tar.gz"),
                Arguments.of("${_P%.*}", "gs://bucket/dir/file.tar"),
                Arguments.of("${_P%%.*}", "gs://bucket/dir/file"),
                Arguments.of("${_P#gs://}", "bucket/dir/file.tar.gz"),
                Arguments.of("${_V/./-}", "release-1-2.3"),
                Arguments.of("${_V//./-}", "release-1-2-3"),
                Arguments.of("${_V//[0-9]/N}", "release-N.N.N"),
                Arguments.of("${_V/#release/v}", "v-1.2.3"),
                Arguments.of("${_V/%3/9}", "release-1.2.9"),
                Arguments.of("${_V//.}", "release-123"),
                Arguments.of("${_V^^}", "RELEASE-1.2.3"),
                Arguments.of("${_V^}", "Release-1.2.3"),
                Arguments.of("${_V,,}", "release-1.2.3"),
                Arguments.of("${_UNSET:-fallback}", "fallback"),
                Arguments.of("${_UNSET-fallback}", "fallback"),
                Arguments.of("${_UNSET:=$_V}", "release-1.2.3"),
                Arguments.of("${_UNSET=${_V:0:3}}", "rel"),
                Arguments.of("${_V:-unused}", "release-1.2.3"),
                Arguments.of("${BRANCH_NAME:-main}", "main"),
                Arguments.of("${BRANCH_NAME-main}", ""),
                Arguments.of("cost $$5, ${_V%%-*}", "cost $5, release"),
                Arguments.of("$$_V", "$_V"),
                Arguments.of("${lower} and $1 stay", "${lower} and $1 stay"));
    }

    @ParameterizedTest(name = "{0} is {1}")
    @MethodSource("operations")
    void an_operation_gives_what_bash_gives(String expression, String expected) {
        assertThat(plan(config(expression), SUBMIT).steps().get(0).args().get(1)).isEqualTo(expected);
    }

    @Test
    void operations_work_in_step_fields_too() {
        BuildPlan plan = plan("""
                options:
                  dynamicSubstitutions: true
                substitutions:
                  _V: 'release-1.2.3'
                steps:
                  - args: [echo, '${_V:0:7}', '${_V##*-}', '$$_V']
                """, SUBMIT);

        assertThat(plan.steps().get(0).args()).containsExactly("echo", "release", "1.2.3", "$_V");
    }

    @Test
    void values_resolve_after_the_values_they_name_whatever_the_order_written() {
        String yaml = """
                options:
                  dynamicSubstitutions: true
                substitutions:
                  _IMAGE: '${_REGISTRY}/app:${_TAG}'
                  _REGISTRY: 'gcr.io/${PROJECT_ID}'
                  _TAG: '${_VERSION:0:3}'
                  _VERSION: '1.2.3'
                steps:
                  - args: [echo, $_IMAGE]
                """;

        assertThat(plan(yaml, SUBMIT).steps().get(0).args()).containsExactly("echo", "gcr.io/my-project/app:1.2");
        assertThat(plan(yaml, BuildContext.submit("b", "p", Map.of("_VERSION", "9.8.7"))).steps().get(0).args())
                .as("a value given with the build replaces the default before anything is resolved")
                .containsExactly("echo", "gcr.io/p/app:9.8");
    }

    @Test
    void a_trigger_always_has_dynamic_substitutions_and_a_submit_does_not_unless_asked() {
        String yaml = "substitutions:\n  _SHA: '${COMMIT_SHA:0:4}'\nsteps:\n  - args: [echo, $_SHA]\n";

        assertThat(plan(yaml, TRIGGER).steps().get(0).args()).containsExactly("echo", "0123");
        assertThat(plan(yaml, SUBMIT).steps().get(0).args()).as("without dynamic substitutions a value is as written")
                .containsExactly("echo", "${COMMIT_SHA:0:4}");
    }

    static List<Arguments> refusals() {
        return List.of(
                Arguments.of("_A: '$_B'\n  _B: '${_A}'", "build.yaml:4:3: substitutions name each other in a cycle: _A -> _B -> _A"),
                Arguments.of("_A: 'x-$_A'", "build.yaml:4:3: substitutions name each other in a cycle: _A -> _A"),
                Arguments.of("_C: '$_A'\n  _A: '$_B'\n  _B: '$_C'",
                        "build.yaml:4:3: substitutions name each other in a cycle: _C -> _A -> _B -> _C"),
                Arguments.of("_A: '${_X:+set}'", "build.yaml:4:3: substitution '_A': cannot expand '${_X:+set}': ':+' is not supported"),
                Arguments.of("_A: '${_X:?unset}'", "build.yaml:4:3: substitution '_A': cannot expand '${_X:?unset}': ':?' is not supported"),
                Arguments.of("_A: '${!_X}'", "build.yaml:4:3: substitution '_A': cannot expand '${!_X}': indirect references"),
                Arguments.of("_A: '${_X@U}'", "build.yaml:4:3: substitution '_A': cannot expand '${_X@U}': '@U' is not an operation"),
                Arguments.of("_A: '${_X^^[a]}'", "build.yaml:4:3: substitution '_A': cannot expand '${_X^^[a]}': '^^[a]' is not"),
                Arguments.of("_A: '${_X:a:b}'", "build.yaml:4:3: substitution '_A': cannot expand '${_X:a:b}': offset and length"),
                Arguments.of("_A: '${_X:4:-4}'", "build.yaml:4:3: substitution '_A': cannot expand '${_X:4:-4}': the length ends"),
                Arguments.of("_A: '$_NOPE'", "build.yaml:4:3: substitution '_A': unknown substitution '$_NOPE'"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("refusals")
    void a_value_that_cannot_be_resolved_is_refused_at_its_key(String substitutions, String expected) {
        String yaml = """
                options:
                  dynamicSubstitutions: true
                substitutions:
                  %s
                  _X: 'abcdef'
                steps:
                  - args: [echo, $_A, $_B, $_C, $_X]
                """.formatted(substitutions);

        assertThat(refused(yaml, SUBMIT)).anySatisfy(p -> assertThat(p).startsWith(expected))
                .noneSatisfy(p -> assertThat(p).contains("unknown substitution '$_A'"));
    }

    @Test
    void an_unsupported_operation_in_a_step_is_refused_at_its_place_never_made_empty() {
        assertThat(refused("""
                options:
                  dynamicSubstitutions: true
                substitutions:
                  _X: x
                steps:
                  - args: [echo, '${_X:+y}']
                """, SUBMIT)).singleElement().asString().startsWith(
                "build.yaml:6:18: cannot expand '${_X:+y}': ':+' is not supported; Kiln supports ${V:offset}");
    }

    @Test
    void values_doubling_each_other_are_refused_not_built() {
        StringBuilder yaml = new StringBuilder("options:\n  dynamicSubstitutions: true\nsubstitutions:\n  _A0: '"
                + "x".repeat(1000) + "'\n");
        for (int i = 1; i < 40; i++) {
            yaml.append("  _A").append(i).append(": '$_A").append(i - 1).append("$_A").append(i - 1).append("'\n");
        }
        yaml.append("steps:\n  - args: [echo, $_A39]\n");

        assertThat(refused(yaml.toString(), SUBMIT)).anySatisfy(p -> assertThat(p).contains("would be longer than"));
    }
}
