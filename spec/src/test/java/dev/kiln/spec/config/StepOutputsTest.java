package dev.kiln.spec.config;

import static dev.kiln.spec.Fixtures.lines;
import static dev.kiln.spec.Fixtures.parse;
import static dev.kiln.spec.Fixtures.problems;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.spec.plan.BuildContext;
import dev.kiln.spec.plan.BuildPlan;
import dev.kiln.spec.plan.Planner;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Kiln's step {@code metrics} and {@code artifacts}, and Cloud Build's {@code artifacts.objects}: read, checked, planned. */
class StepOutputsTest {

    @Test
    void metrics_and_artifacts_are_read_and_planned_relative_to_the_steps_dir() throws Exception {
        BuildSpec spec = parse("""
                steps:
                  - id: train
                    dir: model
                    script: python3 train.py
                    metrics: metrics.json
                    artifacts: [model.pkl, 'reports/*.html']
                  - id: eval
                    args: [echo, ok]
                    metrics: /workspace/out/eval.json
                artifacts:
                  objects:
                    location: gs://bucket/models/
                    paths: ['model/*.pkl']
                """);

        assertThat(spec.warnings()).isEmpty();
        assertThat(spec.steps().get(0).metrics()).isEqualTo("metrics.json");
        assertThat(spec.steps().get(0).artifacts()).containsExactly("model.pkl", "reports/*.html");
        BuildPlan plan = Planner.plan(spec, BuildContext.submit("b-1", "p", Map.of()));
        assertThat(plan.steps().get(0).metrics()).isEqualTo("model/metrics.json");
        assertThat(plan.steps().get(0).artifacts()).containsExactly("model/model.pkl", "model/reports/*.html");
        assertThat(plan.steps().get(1).metrics()).isEqualTo("out/eval.json");
        assertThat(plan.steps().get(1).artifacts()).isEmpty();
        assertThat(plan.artifacts()).containsExactly("model/*.pkl");
    }

    @Test
    void paths_outside_the_workspace_are_refused_at_their_position() {
        assertThat(lines(problems("""
                steps:
                  - id: train
                    args: [x]
                    metrics: ../secret.json
                    artifacts: [ok.bin, /etc/passwd, '']
                  - args: [y]
                    metrics: [a, b]
                """))).containsExactly(
                "build.yaml:4:14: step 'train': metrics must name a file inside the workspace (e.g. metrics.json), not '../secret.json'",
                "build.yaml:5:25: step 'train': artifacts: '/etc/passwd' must be a relative path or glob inside the workspace",
                "build.yaml:5:38: step 'train': artifacts: '' must be a relative path or glob inside the workspace",
                "build.yaml:7:14: steps[1].metrics must be a single value, not a list");
    }

    @Test
    void a_steps_metrics_is_no_longer_an_ignored_field() {
        BuildSpec spec = parse("steps:\n  - args: [x]\n    metrics: m.json\n");
        assertThat(lines(spec.warnings())).isEmpty();
        assertThat(List.of(spec.steps().get(0).metrics())).containsExactly("m.json");
    }
}
