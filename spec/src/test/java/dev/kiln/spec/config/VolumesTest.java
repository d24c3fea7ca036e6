package dev.kiln.spec.config;

import static dev.kiln.spec.Fixtures.lines;
import static dev.kiln.spec.Fixtures.parse;
import static dev.kiln.spec.Fixtures.problems;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Cloud Build's step {@code volumes} and {@code options.volumes}: read, checked at their position, merged per step. */
class VolumesTest {

    @Test
    void build_volumes_go_to_every_step_in_an_image_and_a_steps_own_follow() {
        BuildSpec spec = parse("""
                options:
                  volumes:
                    - name: cache
                      path: /cache
                steps:
                  - name: busybox
                    args: [x]
                    volumes:
                      - {name: data, path: /data}
                  - args: [local]
                  - name: busybox
                    args: [y]
                    volumes:
                      - {name: cache, path: /cache}
                """);

        assertThat(spec.steps().get(0).volumes()).containsExactly(new Volume("cache", "/cache"), new Volume("data", "/data"));
        assertThat(spec.steps().get(1).volumes()).isEmpty();
        assertThat(spec.steps().get(2).volumes()).containsExactly(new Volume("cache", "/cache"));
    }

    @Test
    void one_mapping_is_read_as_a_list_of_one_with_a_warning() {
        BuildSpec spec = parse("steps:\n  - name: busybox\n    args: [x]\n    volumes: {name: v, path: /v}\n");

        assertThat(spec.steps().get(0).volumes()).containsExactly(new Volume("v", "/v"));
        assertThat(lines(spec.warnings())).contains("build.yaml:4:14: steps[0].volumes: one value where Cloud Build"
                + " expects a list; read as a list of one, write it as a list item ('- ' before its first field)");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "[{name: v, path: [/v]}]|4:31|steps[0].volumes[0].path must be a single value, not a list",
            "[v]|4:15|steps[0].volumes[0] must be a mapping",
            "[{name: v}]|4:15|steps[0].volumes[0]: a volume needs both 'name' and 'path'",
            "[{name: v, path: cache}]|4:31|steps[0].volumes[0].path must be an absolute path in the container, not 'cache'",
            "[{name: v, path: /workspace}]|4:31|steps[0].volumes[0].path '/workspace' must not be in /workspace: the build's workspace is mounted there",
            "[{name: v, path: /workspace/x}]|4:31|steps[0].volumes[0].path '/workspace/x' must not be in /workspace: the build's workspace is mounted there",
            "[{name: v, path: /}]|4:31|steps[0].volumes[0].path must not be '/'",
            "[{name: v, path: /a/../b}]|4:31|steps[0].volumes[0].path '/a/../b' must not hold '..', ':' or ','",
            "[{name: 'my vol', path: /v}]|4:22|steps[0].volumes[0].name 'my vol' must start with a letter or digit and hold only letters, digits, '_', '.' and '-' (at most 63)",
            "[{name: a, path: /v}, {name: b, path: /v}]|4:36|steps[0].volumes[1]: path '/v' is mounted twice; give each volume a path of its own",
            "[{name: v, path: /v, size: 1}]|4:35|steps[0].volumes[0]: unknown field 'size'",
            "7|4:14|steps[0].volumes must be a list of {name, path}, not a value",
    })
    void a_wrong_volume_is_refused_at_its_position(String volumes, String at, String message) {
        String config = "steps:\n  - name: busybox\n    args: [x]\n    volumes: " + volumes + "\n";

        assertThat(lines(problems(config))).containsExactly("build.yaml:" + at + ": " + message);
    }

    @Test
    void a_process_step_cannot_mount_a_volume() {
        assertThat(lines(problems("steps:\n  - args: [x]\n    volumes: [{name: v, path: /v}]\n")))
                .containsExactly("build.yaml:3:14: step #0: volumes are mounted into containers; this step runs as a"
                        + " process on the agent (no 'name'): give it an image or drop 'volumes'");
    }

    @Test
    void a_steps_volume_may_not_take_a_path_of_another_build_volume() {
        assertThat(lines(problems("""
                options:
                  volumes: [{name: cache, path: /cache}]
                steps:
                  - name: busybox
                    args: [x]
                    volumes: [{name: other, path: /cache}]
                """))).containsExactly("build.yaml:6:35: steps[0].volumes[0].path '/cache' is options.volumes' path for"
                + " volume 'cache'; use another path");
    }
}
