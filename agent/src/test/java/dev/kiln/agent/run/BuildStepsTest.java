package dev.kiln.agent.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.spec.plan.StepPlan;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which of an executor's steps can never run beside another of its steps: a pure function of the plan. */
class BuildStepsTest {
    static StepPlan step(int index, Integer... waitFor) {
        return new StepPlan(index, "s" + index, "img", null, List.of("true"), null, List.of(), null, List.of(waitFor), 0,
                false, List.of(), List.of());
    }

    @Test
    void steps_each_waiting_for_the_one_before_all_run_alone() {
        assertThat(BuildSteps.of(List.of(step(0), step(1, 0), step(2, 1))).alone()).containsExactly(0, 1, 2);
    }

    @Test
    void steps_that_may_run_at_once_do_not_and_the_steps_before_and_after_them_do() {
        // 0, then 1 and 2 side by side, then 3 after both
        List<StepPlan> plan = List.of(step(0), step(1, 0), step(2, 0), step(3, 1, 2));

        assertThat(BuildSteps.of(plan).alone()).containsExactly(0, 3);
    }

    @Test
    void order_through_steps_of_another_executor_counts() {
        // 0 (mine) -> 1 (a process step) -> 2 (mine); 3 (mine) waits for nothing and runs beside all
        List<StepPlan> plan = List.of(step(0), step(1, 0), step(2, 1), step(3));

        assertThat(new BuildSteps(plan, Set.of(0, 2)).alone()).containsExactly(0, 2);
        assertThat(new BuildSteps(plan, Set.of(0, 2, 3)).alone()).isEmpty();
    }

    @Test
    void steps_that_wait_for_nothing_run_together() {
        assertThat(BuildSteps.of(List.of(step(0), step(1))).alone()).isEmpty();
        assertThat(BuildSteps.none().alone()).isEmpty();
    }
}
