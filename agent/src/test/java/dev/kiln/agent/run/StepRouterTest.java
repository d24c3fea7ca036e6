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
    void a_container_step_is_made_ahead_only_after_container_steps_which_cannot_change_the_images_it_names() {
        List<String> asked = new java.util.ArrayList<>();
        Executor recording = new Executor() {
            @Override
            public Execution start(StepPlan s, Path w, Path t) {
                return null;
            }

            @Override
            public void prepareAhead(StepPlan s, List<StepPlan> running, Path w, Path t) {
                asked.add(s.image() + " after " + running.stream().map(StepPlan::image).toList());
            }
        };
        StepRouter r = new StepRouter(processes, recording, Map.of("gcr.io/cloud-builders/docker", docker));
        Path w = Path.of("/w");
        Path t = Path.of("/s");

        r.prepareAhead(step("app:1"), List.of(step("python:3.11"), step("busybox")), w, t);
        r.prepareAhead(step("app:1"), List.of(step(null)), w, t);                              // a process may docker build app:1
        r.prepareAhead(step("app:1"), List.of(step("gcr.io/cloud-builders/docker")), w, t);   // so does the builder
        r.prepareAhead(step("app:1"), List.of(step("busybox"), step(null)), w, t);
        r.prepareAhead(step(null), List.of(step("busybox")), w, t);                             // a process has nothing to make

        assertThat(asked).containsExactly("app:1 after [python:3.11, busybox]");
    }

    @Test
    void an_agent_without_an_engine_refuses_image_steps_saying_why() {
        StepRouter noEngine = new StepRouter(processes, StepRouter.refusing("this agent has no engine"), Map.of());

        assertThatThrownBy(() -> noEngine.start(step("python:3.11"), Path.of("/w"), Path.of("/s")))
                .hasMessage("step 's' runs in image 'python:3.11', and this agent has no engine");
    }
}
