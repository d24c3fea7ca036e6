package dev.kiln.agent.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.spec.plan.StepPlan;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one place that picks who runs a step. */
class StepRouterTest {
    final Executor processes = (s, w, t) -> null;
    final Executor containers = (s, w, t) -> null;
    final Executor docker = (s, w, t) -> null;
    final StepRouter router = new StepRouter(processes, containers, Map.of("gcr.io/cloud-builders/docker", docker));

    static StepPlan step(String image) {
        return new StepPlan(0, "s", image, null, List.of("x"), null, List.of(), null, List.of(), 0, false, List.of(), List.of());
    }

    @Test
    void no_image_runs_as_a_process_a_builder_image_on_its_builder_and_any_other_image_in_a_container() {
        assertThat(router.pick(step(null))).isSameAs(processes);
        assertThat(router.pick(step("gcr.io/cloud-builders/docker"))).isSameAs(docker);
        assertThat(router.pick(step("gcr.io/cloud-builders/docker:latest"))).isSameAs(docker);
        assertThat(router.pick(step("gcr.io/cloud-builders/docker:20.10"))).isSameAs(containers);
        assertThat(router.pick(step("python:3.11"))).isSameAs(containers);
    }

    @Test
    void an_agent_without_an_engine_refuses_image_steps_saying_why() {
        StepRouter noEngine = new StepRouter(processes, StepRouter.refusing("this agent has no engine"), Map.of());

        assertThatThrownBy(() -> noEngine.start(step("python:3.11"), Path.of("/w"), Path.of("/s")))
                .hasMessage("step 's' runs in image 'python:3.11', and this agent has no engine");
    }
}
