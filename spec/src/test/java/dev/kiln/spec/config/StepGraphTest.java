package dev.kiln.spec.config;

import static dev.kiln.spec.Fixtures.lines;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one reading of waitFor that the parser and the planner share. */
class StepGraphTest {
    private final Problems problems = new Problems("build.yaml");
    private final Map<String, SourceMark> marks = new HashMap<>();

    static Step step(int index, String id, String... waitFor) {
        return new Step(index, id, null, null, List.of("true"), null, List.of(), null,
                waitFor.length == 0 ? null : Arrays.asList(waitFor), null, false, List.of(), List.of(),
                new SourceMark("build.yaml", index + 2, 3));
    }

    StepGraph resolve(Step... steps) {
        return StepGraph.resolve(List.of(steps), marks::get, problems);
    }

    List<String> problems() {
        ConfigException e = catchThrowableOfType(ConfigException.class, problems::throwIfAny);
        return e == null ? List.of() : lines(e.problems());
    }

    @Test
    void a_step_without_waitFor_or_with_an_empty_one_waits_for_all_previous_steps() {
        Step empty = new Step(2, "c", null, null, List.of("true"), null, List.of(), null, List.of(), null, false,
                List.of(), List.of(), new SourceMark("build.yaml", 4, 3));

        StepGraph graph = resolve(step(0, "a"), step(1, "b"), empty);

        assertThat(graph.waits()).containsExactly(List.of(), List.of(0), List.of(0, 1));
        assertThat(problems()).isEmpty();
    }

    @Test
    void dash_starts_a_step_at_once() {
        StepGraph graph = resolve(step(0, "a"), step(1, "b", "-"));

        assertThat(graph.waitFor(1)).isEmpty();
        assertThat(problems()).isEmpty();
    }

    @Test
    void ids_resolve_to_indexes_in_the_order_written_also_for_a_later_step() {
        StepGraph graph = resolve(step(0, "a", "c"), step(1, "b"), step(2, "c", "-"), step(3, null, "c", "a"));

        assertThat(graph.waits()).containsExactly(List.of(2), List.of(0), List.of(), List.of(2, 0));
        assertThat(problems()).isEmpty();
    }

    @Test
    void an_unknown_id_is_reported_at_its_entry_with_the_id_meant() {
        marks.put("steps[1].waitFor[1]", new SourceMark("build.yaml", 7, 15));

        StepGraph graph = resolve(step(0, "fetch"), step(1, "build", "fetch", "fecth"));

        assertThat(problems()).containsExactly(
                "build.yaml:7:15: step 'build' waits for unknown step 'fecth'; did you mean 'fetch'?");
        assertThat(graph.waitFor(1)).as("the known ones still resolve").containsExactly(0);
    }

    @Test
    void a_step_waiting_for_itself_is_reported_and_not_made_to_wait() {
        StepGraph graph = resolve(step(0, "a", "a"));

        assertThat(problems()).containsExactly("build.yaml:1:1: step 'a': waits for itself");
        assertThat(graph.waitFor(0)).isEmpty();
    }

    @Test
    void a_duplicate_id_is_reported_at_the_second_step_and_the_first_one_is_waited_for() {
        marks.put("steps[1].id", new SourceMark("build.yaml", 4, 9));

        StepGraph graph = resolve(step(0, "a", "-"), step(1, "a", "-"), step(2, "b", "a"));

        assertThat(problems()).containsExactly("build.yaml:4:9: step 'a': duplicate id; step #0 has it already");
        assertThat(graph.waitFor(2)).containsExactly(0);
    }

    @Test
    void a_cycle_is_reported_once_at_its_first_step_naming_every_step_on_it() {
        resolve(step(0, "setup"), step(1, "a", "c"), step(2, "b", "a", "setup"), step(3, "c", "b"), step(4, "d", "c", "d"));

        assertThat(problems()).containsExactly(
                "build.yaml:1:1: step 'd': waits for itself",
                "build.yaml:3:3: waitFor forms a cycle: 'a' -> 'c' -> 'b' -> 'a'");
    }

    @Test
    void a_step_waiting_for_a_later_one_that_waits_for_all_previous_ones_is_a_cycle() {
        resolve(step(0, "a", "b"), step(1, "b"));

        assertThat(problems()).containsExactly("build.yaml:2:3: waitFor forms a cycle: 'a' -> 'b' -> 'a'");
    }

    @Test
    void steps_missing_from_the_list_keep_the_indexes_of_the_others() {
        // The parser leaves out a step it could not read: step #0 here.
        StepGraph graph = resolve(step(1, "a"), step(2, "b", "a"), step(3, "c", "c"));

        assertThat(graph.waits()).containsExactly(List.of(), List.of(0), List.of(1), List.of());
        assertThat(problems()).containsExactly("build.yaml:1:1: step 'c': waits for itself");
    }

    @Test
    void no_steps_make_an_empty_graph() {
        assertThat(resolve().waits()).isEmpty();
        assertThat(problems()).isEmpty();
    }
}
