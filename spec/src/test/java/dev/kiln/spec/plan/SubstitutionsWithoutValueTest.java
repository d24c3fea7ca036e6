package dev.kiln.spec.plan;

import static dev.kiln.spec.Fixtures.lines;
import static dev.kiln.spec.Fixtures.parse;
import static dev.kiln.spec.plan.PlannerTest.plan;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.kiln.spec.config.ConfigException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Class 4 of issue 9: {@code _TAG:} with no value means no default; the trigger or
 * {@code --substitutions} must give it, and when neither does the message says so, once.
 */
class SubstitutionsWithoutValueTest {
    static final String NEEDS_TAG = "_TAG has no value: give it with --substitutions _TAG=... or from the trigger";

    static List<Arguments> table() {
        return List.of(
                Arguments.of("_TAG:", Map.of(), List.of("build.yaml:2:3: " + NEEDS_TAG), List.of("_TAG")),
                Arguments.of("_TAG: ~", Map.of(), List.of("build.yaml:2:3: " + NEEDS_TAG), List.of("_TAG")),
                Arguments.of("_TAG: null", Map.of(), List.of("build.yaml:2:3: " + NEEDS_TAG), List.of("_TAG")),
                Arguments.of("_TAG:", Map.of("_TAG", "v1"), List.of("v1"), List.of()),
                Arguments.of("_TAG: ''", Map.of(), List.of(""), List.of()),
                Arguments.of("_TAG: \"\"", Map.of("_TAG", "v2"), List.of("v2"), List.of()));
    }

    /**
     * @param expected the step's args after {@code echo} when the plan is made, else the problems
     * @param missing  what the refusal names as missing
     */
    @ParameterizedTest(name = "{0} with {1}")
    @MethodSource("table")
    void a_key_without_a_value_must_be_given(String entry, Map<String, String> given, List<String> expected,
                                             List<String> missing) {
        String yaml = "substitutions:\n  " + entry + "\nsteps:\n  - args: [echo, '$_TAG']\n    env: ['T=${_TAG}']\n";
        BuildContext context = BuildContext.submit("b", "p", given);
        if (missing.isEmpty()) {
            assertThat(plan(yaml, context).steps().get(0).args()).containsExactly("echo", expected.get(0));
            return;
        }
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> Planner.plan(parse(yaml), context));
        assertThat(lines(e.problems())).as("told once at the key, not at every use, and not as a type error")
                .containsExactlyElementsOf(expected);
        assertThat(e.missingSubstitutions()).containsExactlyElementsOf(missing);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("missingNames")
    void every_name_a_trigger_would_give_is_listed_once_in_the_order_met(String yaml, List<String> missing) {
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> Planner.plan(parse(yaml), BuildContext.submit("b", "p", Map.of())));

        assertThat(e.missingSubstitutions()).containsExactlyElementsOf(missing);
    }

    static List<Arguments> missingNames() {
        return List.of(
                Arguments.of("substitutions:\n  _TAG:\nsteps:\n  - args: [deploy, $_ZONE, $_CLUSTER, $_ZONE, $_TAG]\n",
                        List.of("_TAG", "_ZONE", "_CLUSTER")),
                Arguments.of("steps:\n  - args: [echo, $HOME, $_ZONE]\n", List.of("_ZONE")),
                Arguments.of("options:\n  substitutionOption: ALLOW_LOOSE\nsubstitutions:\n  _TAG:\nsteps:\n  - args: [a, $_ZONE, $_TAG]\n",
                        List.of("_TAG")));
    }
}
