package dev.kiln.spec.plan;

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

/** Class 8 of issue 9: Cloud Build substitutes inside {@code id} and {@code waitFor}; the graph is checked on the result. */
class SubstitutedIdsTest {
    static final BuildContext GIVEN = BuildContext.submit("b", "p", Map.of("_X", "x"));
    static final BuildContext BOTH = BuildContext.submit("b", "p", Map.of("_X", "x", "_Y", "y"));

    static List<Arguments> graphs() {
        return List.of(
                Arguments.of("""
                        steps:
                          - id: '$SHORT_SHA'
                            args: [build]
                          - id: other
                            waitFor: ['-']
                            args: [lint]
                          - waitFor: ['$SHORT_SHA']
                            args: [push]
                        """, TRIGGER, List.of("0123456", "other", "Step #2"), List.of(List.of(), List.of(), List.of(0))),
                Arguments.of("""
                        steps:
                          - id: 'build-$_X'
                            args: [build]
                          - id: lint
                            waitFor: ['-']
                            args: [lint]
                          - waitFor: ['build-${_X}', lint]
                            args: [push]
                        """, GIVEN, List.of("build-x", "lint", "Step #2"), List.of(List.of(), List.of(), List.of(0, 1))),
                Arguments.of("""
                        steps:
                          - id: 'build-$_X'
                            args: [build]
                          - waitFor: ['build-x']
                            args: [push]
                        """, GIVEN, List.of("build-x", "Step #1"), List.of(List.of(), List.of(0))));
    }

    @ParameterizedTest(name = "case {index}")
    @MethodSource("graphs")
    void ids_and_waitFor_hang_together_after_substitution(String yaml, BuildContext context, List<String> ids,
                                                         List<List<Integer>> waits) {
        BuildPlan plan = plan(yaml, context);

        assertThat(plan.steps()).extracting(StepPlan::id).containsExactlyElementsOf(ids);
        assertThat(plan.steps()).extracting(StepPlan::waitFor).containsExactlyElementsOf(waits);
    }

    static List<Arguments> refusals() {
        return List.of(
                Arguments.of("""
                        steps:
                          - id: 'build-$_X'
                            args: [build]
                          - id: deploy
                            waitFor: ['build-$_Y']
                            args: [deploy]
                        """, BOTH, List.of("build.yaml:5:15: step 'deploy' waits for unknown step 'build-y' "
                        + "(written 'build-$_Y', substituting _Y); did you mean 'build-x'?")),
                Arguments.of("""
                        steps:
                          - id: 'a$_X'
                            args: [a]
                          - id: 'ax'
                            args: [b]
                        """, GIVEN, List.of("build.yaml:4:9: step 'ax': duplicate id; step #0 has it already")),
                Arguments.of("""
                        substitutions:
                          _E: ''
                        steps:
                          - id: '$_E'
                            args: [a]
                        """, PlannerTest.SUBMIT, List.of("build.yaml:4:9: step '$_E': id is '' after substitutions; it must not be blank or '-'")));
    }

    @ParameterizedTest(name = "{2}")
    @MethodSource("refusals")
    void a_graph_that_does_not_hang_together_after_substitution_is_refused(String yaml, BuildContext context,
                                                                          List<String> expected) {
        assertThat(refused(yaml, context)).containsExactlyElementsOf(expected);
    }

    @Test
    void the_parser_leaves_a_waitFor_naming_a_substitution_to_the_planner() {
        assertThat(dev.kiln.spec.Fixtures.parse("steps:\n  - id: 'b-$_X'\n    args: [a]\n  - waitFor: ['b-x']\n    args: [b]\n")
                .steps()).hasSize(2);
    }
}
