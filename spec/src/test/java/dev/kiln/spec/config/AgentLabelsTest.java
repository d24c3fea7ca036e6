package dev.kiln.spec.config;

import static dev.kiln.spec.Fixtures.lines;
import static dev.kiln.spec.Fixtures.parse;
import static dev.kiln.spec.Fixtures.problems;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which agents may take a build: Cloud Build's {@code options.pool.name} and Kiln's {@code options.agent.labels}. */
class AgentLabelsTest {

    @Test
    void a_build_without_pool_or_agent_labels_has_no_labels() {
        assertThat(parse("steps:\n  - args: [x]\n").labels()).isEmpty();
    }

    @Test
    void a_pools_full_resource_name_becomes_its_last_segment_without_a_warning() {
        BuildSpec spec = parse("""
                steps:
                  - args: [x]
                options:
                  pool:
                    name: projects/p/locations/europe-west1/workerPools/gpu
                """);

        assertThat(spec.labels()).containsExactly("gpu");
        assertThat(lines(spec.warnings())).isEmpty();
    }

    @Test
    void a_bare_pool_name_and_agent_labels_add_up_without_repeats() {
        BuildSpec spec = parse("""
                steps:
                  - args: [x]
                options:
                  pool: {name: gpu}
                  agent:
                    labels: [linux, gpu, linux]
                """);

        assertThat(spec.labels()).containsExactly("gpu", "linux");
        assertThat(spec.markOf("options.agent.labels[1]")).hasToString("build.yaml:6:21");
        assertThat(lines(spec.warnings())).isEmpty();
    }

    @Test
    void a_single_agent_label_may_be_written_without_a_list() {
        assertThat(parse("steps:\n  - args: [x]\noptions:\n  agent: {labels: gpu}\n").labels()).containsExactly("gpu");
    }

    @Test
    void bad_labels_are_refused_each_at_its_position() {
        assertThat(lines(problems("""
                steps:
                  - args: [x]
                options:
                  agent:
                    labels: [gpu, "a,b", "two words", " ", "bell\\u0007", [x]]
                    label: gpu
                """))).containsExactly(
                "build.yaml:5:19: options.agent.labels: label 'a,b' must be one word without commas or spaces, as agents offer it",
                "build.yaml:5:26: options.agent.labels: label 'two words' must be one word without commas or spaces, as agents offer it",
                "build.yaml:5:39: options.agent.labels: a label must not be blank",
                "build.yaml:5:44: options.agent.labels: contains a control character (U+0007)",
                "build.yaml:5:58: options.agent.labels[5] must be a single value, not a list",
                "build.yaml:6:5: options.agent: unknown field 'label'; did you mean 'labels'?");
    }

    @Test
    void a_bad_pool_is_refused_at_its_position() {
        assertThat(lines(problems("""
                steps:
                  - args: [x]
                options:
                  pool:
                    name: projects/p/locations/l/workerPools/
                    nmae: gpu
                """))).containsExactly(
                "build.yaml:5:11: options.pool.name: 'projects/p/locations/l/workerPools/' ends in '/'; "
                        + "give the pool's name, e.g. projects/P/locations/L/workerPools/gpu",
                "build.yaml:6:5: options.pool: unknown field 'nmae'; did you mean 'name'?");
        assertThat(lines(problems("steps:\n  - args: [x]\noptions:\n  pool: gpu\n")))
                .containsExactly("build.yaml:4:9: options.pool must be a mapping");
        assertThat(lines(problems("steps:\n  - args: [x]\noptions:\n  agent: {labels: {gpu: true}}\n")))
                .containsExactly("build.yaml:4:19: options.agent.labels must be a list of values, not a mapping");
    }

    @Test
    void a_steps_agent_labels_are_the_whole_builds_since_a_build_runs_on_one_agent() {
        BuildSpec spec = parse("""
                steps:
                  - id: prepare
                    args: [x]
                  - id: train
                    args: [y]
                    agent: {labels: [gpu, cuda12]}
                  - id: test
                    args: [z]
                    agent:
                      labels: [gpu]
                options:
                  agent: {labels: [linux]}
                """);

        assertThat(spec.labels()).containsExactly("linux", "gpu", "cuda12");
        assertThat(lines(spec.warnings())).isEmpty();
    }

    @Test
    void a_bad_step_label_is_refused_where_it_stands() {
        assertThat(lines(problems("""
                steps:
                  - id: train
                    args: [y]
                    agent: {labels: ['gpu,cuda'], lables: [x]}
                """))).containsExactlyInAnyOrder(
                "build.yaml:4:22: step 'train': agent.labels: label 'gpu,cuda' must be one word without commas or spaces,"
                        + " as agents offer it",
                "build.yaml:4:35: step 'train': agent: unknown field 'lables'; did you mean 'labels'?");
    }
}
