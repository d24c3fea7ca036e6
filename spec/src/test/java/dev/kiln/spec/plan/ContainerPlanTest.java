package dev.kiln.spec.plan;

import static dev.kiln.spec.Fixtures.parse;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.spec.config.BuildSpec;
import dev.kiln.spec.config.Volume;
import dev.kiln.spec.json.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the plan tells agents about steps in images: their volumes, and that the build needs a docker agent. */
class ContainerPlanTest {

    @Test
    void a_steps_volumes_reach_the_plan_and_survive_the_wire() throws Exception {
        BuildPlan plan = PlannerTest.plan("""
                options:
                  volumes: [{name: cache, path: /cache}]
                steps:
                  - name: busybox
                    args: [x]
                    volumes: [{name: data, path: /data}]
                """, PlannerTest.SUBMIT);

        StepPlan step = plan.steps().get(0);
        assertThat(step.volumes()).containsExactly(new Volume("cache", "/cache"), new Volume("data", "/data"));
        BuildPlan back = Json.MAPPER.readValue(Json.write(plan), BuildPlan.class);
        assertThat(back.steps().get(0).volumes()).isEqualTo(step.volumes());
    }

    @Test
    void a_plan_stored_before_volumes_existed_reads_as_none() throws Exception {
        String old = "{\"version\":1,\"buildId\":\"b\",\"timeoutMillis\":1,\"steps\":[{\"index\":0,\"id\":\"s\",\"args\":[\"x\"],"
                + "\"env\":[],\"waitFor\":[],\"allowExitCodes\":[],\"secretEnv\":[]}],\"images\":[]}";

        assertThat(Json.MAPPER.readValue(old, BuildPlan.class).steps().get(0).volumes()).isEmpty();
    }

    @Test
    void a_build_with_a_step_in_an_image_needs_an_agent_with_the_docker_label() throws Exception {
        BuildSpec spec = parse("""
                options:
                  agent: {labels: [gpu]}
                steps:
                  - args: [local]
                  - name: busybox
                    args: [x]
                """);

        assertThat(AgentLabels.of(spec, Planner.plan(spec, PlannerTest.SUBMIT))).containsExactly("gpu", "docker");
    }

    @Test
    void a_build_of_process_steps_that_lists_images_to_push_needs_it_too() throws Exception {
        BuildSpec spec = parse("steps:\n  - args: [a]\nimages: ['127.0.0.1:5000/app:1']\n");

        assertThat(AgentLabels.of(spec, Planner.plan(spec, PlannerTest.SUBMIT))).containsExactly("docker");
    }

    @Test
    void a_build_of_process_steps_only_does_not() throws Exception {
        BuildSpec spec = parse("steps:\n  - args: [a]\n  - name: local\n    args: [b]\n");

        assertThat(AgentLabels.of(spec, Planner.plan(spec, PlannerTest.SUBMIT))).isEmpty();
    }

    @Test
    void asking_for_docker_by_hand_does_not_repeat_it() throws Exception {
        BuildSpec spec = parse("options:\n  agent: {labels: [docker]}\nsteps:\n  - name: busybox\n    args: [x]\n");

        assertThat(AgentLabels.of(spec, Planner.plan(spec, PlannerTest.SUBMIT))).isEqualTo(List.of("docker"));
    }
}
