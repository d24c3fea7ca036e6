package dev.kiln.spec.config;

import static dev.kiln.spec.Fixtures.lines;
import static dev.kiln.spec.Fixtures.parse;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** One value where Cloud Build expects a list is read as a list of one, with a warning that shows the list form. */
class ListOfOneTest {

    static Stream<Arguments> lone_values() {
        return Stream.of(
                row("steps:\n  - args: [x]\n    env: KEY=VALUE\n", s -> s.steps().get(0).env(), List.of("KEY=VALUE"),
                        "build.yaml:3:10: step #0: env: one value where Cloud Build expects a list; read as a list of one,"
                                + " write ['KEY=VALUE']"),
                row("steps:\n  - id: a\n    args: [x]\n  - args: [y]\n    waitFor: a\n", s -> s.steps().get(1).waitFor(),
                        List.of("a"), "build.yaml:5:14: step #1: waitFor: one value where Cloud Build expects a list;"
                                + " read as a list of one, write ['a']"),
                row("steps:\n  - args: [x]\n    wait_for: '-'\n", s -> s.steps().get(0).waitFor(), List.of("-"),
                        "build.yaml:3:15: step #0: wait_for: one value where Cloud Build expects a list; read as a list"
                                + " of one, write ['-']"),
                row("steps:\n  - args: [x]\n    secretEnv: X\navailableSecrets:\n  secretManager:\n    - versionName: x\n"
                                + "      env: X\n", s -> s.steps().get(0).secretEnv(), List.of("X"),
                        "build.yaml:3:16: step #0: secretEnv: one value where Cloud Build expects a list; read as a list"
                                + " of one, write ['X']"),
                row("images: foo\nsteps:\n  - args: [x]\n", BuildSpec::images, List.of("foo"),
                        "build.yaml:1:9: images: one value where Cloud Build expects a list; read as a list of one,"
                                + " write ['foo']"),
                row("tags: x\nsteps:\n  - args: [x]\n", BuildSpec::tags, List.of("x"),
                        "build.yaml:1:7: tags: one value where Cloud Build expects a list; read as a list of one,"
                                + " write ['x']"),
                row("options:\n  env: A=1\nsteps:\n  - args: [x]\n", BuildSpec::env, List.of("A=1"),
                        "build.yaml:2:8: options.env: one value where Cloud Build expects a list; read as a list of one,"
                                + " write ['A=1']"),
                row("steps:\n  - args: \"make test\"\n", s -> s.steps().get(0).args(), List.of("make test"),
                        "build.yaml:2:11: step #0: args: one value where Cloud Build expects a list; read as a list of"
                                + " one, write ['make test']"),
                row("steps:\n  - args: \"it's\"\n", s -> s.steps().get(0).args(), List.of("it's"),
                        "build.yaml:2:11: step #0: args: one value where Cloud Build expects a list; read as a list of"
                                + " one, write ['it''s']"));
    }

    private static Arguments row(String yaml, Function<BuildSpec, List<?>> read, List<?> expected, String warning) {
        return Arguments.of(yaml, read, expected, warning);
    }

    @ParameterizedTest
    @MethodSource("lone_values")
    void a_lone_value_is_a_list_of_one_with_a_warning(String yaml, Function<BuildSpec, List<?>> read, List<?> expected,
                                                       String warning) {
        BuildSpec spec = parse(yaml);

        assertThat(read.apply(spec)).isEqualTo(expected);
        assertThat(lines(spec.warnings())).contains(warning);
    }

    /** The same config with the lone value in brackets, on the line the warning names. */
    @ParameterizedTest
    @MethodSource("lone_values")
    void the_list_form_gives_the_same_values_and_no_such_warning(String yaml, Function<BuildSpec, List<?>> read,
                                                                  List<?> expected, String warning) {
        String[] lines = yaml.split("\n", -1);
        int line = Integer.parseInt(warning.split(":")[1]) - 1;
        int colon = lines[line].indexOf(": ");
        lines[line] = lines[line].substring(0, colon + 2) + "[" + lines[line].substring(colon + 2) + "]";
        BuildSpec spec = parse(String.join("\n", lines));

        assertThat(read.apply(spec)).isEqualTo(expected);
        assertThat(lines(spec.warnings())).as(yaml).noneMatch(w -> w.contains("one value where"));
    }

    @Test
    void lists_in_fields_kiln_does_not_act_on_take_a_lone_value_too() {
        BuildSpec spec = parse("""
                options:
                  secretEnv: K
                  sourceProvenanceHash: SHA256
                artifacts:
                  objects:
                    location: gs://b
                    paths: dist/app.jar
                secrets:
                  kmsKeyName: k
                  secretEnv:
                    K: v
                steps:
                  - args: [x]
                """);

        assertThat(lines(spec.warnings())).contains(
                "build.yaml:2:14: options.secretEnv: one value where Cloud Build expects a list; read as a list of one,"
                        + " write ['K']",
                "build.yaml:3:25: options.sourceProvenanceHash: one value where Cloud Build expects a list; read as a"
                        + " list of one, write ['SHA256']",
                "build.yaml:7:12: artifacts.objects.paths: one value where Cloud Build expects a list; read as a list"
                        + " of one, write ['dist/app.jar']",
                "build.yaml:9:3: secrets: one value where Cloud Build expects a list; read as a list of one, write it"
                        + " as a list item ('- ' before its first field)");
    }
}
