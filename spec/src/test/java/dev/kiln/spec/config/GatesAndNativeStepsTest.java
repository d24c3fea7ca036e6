package dev.kiln.spec.config;

import static dev.kiln.spec.Fixtures.lines;
import static dev.kiln.spec.Fixtures.parse;
import static dev.kiln.spec.Fixtures.problems;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.spec.json.Json;
import dev.kiln.spec.plan.AgentLabels;
import dev.kiln.spec.plan.BuildContext;
import dev.kiln.spec.plan.BuildPlan;
import dev.kiln.spec.plan.Planner;
import dev.kiln.spec.plan.StepPlan;
import dev.kiln.spec.promotion.Gate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The config's {@code gates:} (carried into the stored plan) and the built-in step {@code kiln/production-artifacts}. */
class GatesAndNativeStepsTest {

    private static BuildPlan plan(BuildSpec spec) throws Exception {
        return Planner.plan(spec, BuildContext.submit("b-1", "p", Map.of()));
    }

    @Test
    void gates_are_read_and_the_server_reads_them_back_from_the_stored_plan() throws Exception {
        BuildSpec spec = parse("""
                steps:
                  - args: [echo]
                gates:
                  - accuracy >= 0.80
                  - 'accuracy >= production - 0.01'
                  - accuracy >= production_accuracy
                """);
        assertThat(spec.warnings()).isEmpty();
        assertThat(spec.gates()).extracting(Gate::text, Gate::kind).containsExactly(
                org.assertj.core.groups.Tuple.tuple("accuracy >= 0.80", Gate.Kind.ABSOLUTE),
                org.assertj.core.groups.Tuple.tuple("accuracy >= production - 0.01", Gate.Kind.AGAINST_PRODUCTION),
                org.assertj.core.groups.Tuple.tuple("accuracy >= production_accuracy", Gate.Kind.SAME_BUILD));

        String stored = Json.MAPPER.writeValueAsString(plan(spec));
        assertThat(BuildPlan.gates(stored)).isEqualTo(spec.gates());
        assertThat(Json.MAPPER.readValue(stored, BuildPlan.class).gates())
                .containsExactly("accuracy >= 0.80", "accuracy >= production - 0.01", "accuracy >= production_accuracy");
    }

    @Test
    void no_gates_is_an_empty_list_also_for_a_plan_stored_before_gates_existed() throws Exception {
        BuildSpec spec = parse("steps:\n  - args: [echo]\n");
        assertThat(spec.gates()).isEmpty();
        assertThat(plan(spec).gates()).isEmpty();
        assertThat(parse("steps:\n  - args: [echo]\ngates: []\n").gates()).isEmpty();
        assertThat(BuildPlan.gates("{\"version\":1,\"buildId\":\"b\",\"timeoutMillis\":1,\"steps\":[],\"images\":[]}")).isEmpty();
        assertThat(BuildPlan.gates(null)).isEmpty();
        assertThatThrownBy(() -> BuildPlan.gates("{\"gates\":[\"accuracy >=\"]}")).hasMessageContaining("cannot be read");
    }

    @Test
    void one_gate_for_a_list_is_read_as_a_list_of_one_with_a_warning() {
        BuildSpec spec = parse("steps:\n  - args: [echo]\ngates: accuracy >= 0.8\n");
        assertThat(spec.gates()).extracting(Gate::text).containsExactly("accuracy >= 0.8");
        assertThat(lines(spec.warnings())).singleElement().asString().startsWith("build.yaml:3:8: gates: one value where");
    }

    @Test
    void a_gate_that_cannot_be_read_is_refused_at_its_own_line_and_column() {
        assertThat(lines(problems("""
                steps:
                  - args: [echo]
                gates:
                  - accuracy >= 0.80
                  - accuracy >=
                  - 'accuracy >= production-0.01'
                  - accuracy >= $_MIN
                  - {metric: accuracy}
                """))).containsExactly(
                "build.yaml:5:5: gates: gate 'accuracy >=' cannot be read; write METRIC OP THRESHOLD with OP one of"
                        + " >= <= > < ==, and THRESHOLD a number, 'production', 'production - 0.01', 'production * 1.10',"
                        + " or another metric of the build (e.g. 'accuracy >= 0.80', 'latency_p95_ms <= production * 1.10')",
                "build.yaml:6:5: gates: gate 'accuracy >= production-0.01': put spaces around the operator, as in"
                        + " 'accuracy >= production - 0.01'",
                "build.yaml:7:5: gates: 'accuracy >= $_MIN' holds '$'; substitutions are not expanded in gates (they are"
                        + " judged after the build): write the metric and the threshold as they are",
                "build.yaml:8:5: gates[4] must be a single value, not a mapping");
        assertThat(lines(problems("steps:\n  - args: [echo]\ngates: {accuracy: 0.8}\n")))
                .containsExactly("build.yaml:3:8: gates must be a list of values, not a mapping");
    }

    @Test
    void gates_belong_to_the_build_not_to_a_step() {
        assertThat(lines(problems("""
                steps:
                  - args: [echo]
                    gates: [accuracy >= 0.8]
                """))).singleElement().asString().startsWith("build.yaml:3:5: step #0: unknown field 'gates'");
    }

    @Test
    void the_production_artifacts_step_runs_on_the_agent_into_its_dir_and_asks_for_no_docker() throws Exception {
        BuildSpec spec = parse("""
                steps:
                  - name: kiln/production-artifacts
                    id: production
                  - name: kiln/production-artifacts
                    dir: /workspace/baseline/model
                    waitFor: ['-']
                  - args: [sha256sum, production/model.pkl]
                options:
                  volumes: [{name: cache, path: /cache}]
                """);
        assertThat(spec.steps().get(0).isNative()).isTrue();
        assertThat(spec.steps().get(0).volumes()).isEmpty();
        BuildPlan plan = plan(spec);
        StepPlan fetch = plan.steps().get(0);
        assertThat(fetch.isNative()).isTrue();
        assertThat(fetch.isLocal()).isFalse();
        assertThat(fetch.image()).isEqualTo(NativeSteps.PRODUCTION_ARTIFACTS);
        assertThat(fetch.dir()).isEqualTo("production");
        assertThat(fetch.args()).isEmpty();
        assertThat(plan.steps().get(1).dir()).isEqualTo("baseline/model");
        assertThat(plan.steps().get(2).waitFor()).containsExactly(0, 1);
        assertThat(AgentLabels.needsDocker(plan)).isFalse();
        assertThat(AgentLabels.of(spec, plan)).doesNotContain(StepPlan.DOCKER_LABEL);
    }

    @Test
    void the_production_artifacts_step_takes_no_command_and_no_dir_outside_its_own() {
        assertThat(lines(problems("""
                steps:
                  - name: kiln/production-artifacts
                    args: [fetch]
                    env: [A=1]
                  - name: kiln/production-artifacts
                    dir: /workspace
                  - name: kiln/production-artifacts
                    dir: ../up
                  - name: kiln/production-artifacts
                    script: echo
                    artifacts: [production/*]
                """))).containsExactly(
                "build.yaml:3:11: step #0: 'args' is not taken by the built-in step kiln/production-artifacts, which the"
                        + " agent runs itself; it takes only id, waitFor, dir, timeout, allowFailure, agent",
                "build.yaml:4:10: step #0: 'env' is not taken by the built-in step kiln/production-artifacts, which the"
                        + " agent runs itself; it takes only id, waitFor, dir, timeout, allowFailure, agent",
                "build.yaml:6:10: step #1: dir must name a directory inside the workspace for the production model's"
                        + " files (default 'production'), not the workspace itself",
                "build.yaml:8:10: step #2: dir must be a relative path inside the workspace, not '../up'",
                "build.yaml:10:13: step #3: 'script' is not taken by the built-in step kiln/production-artifacts, which"
                        + " the agent runs itself; it takes only id, waitFor, dir, timeout, allowFailure, agent",
                "build.yaml:11:16: step #3: 'artifacts' is not taken by the built-in step kiln/production-artifacts,"
                        + " which the agent runs itself; it takes only id, waitFor, dir, timeout, allowFailure, agent");
    }
}
