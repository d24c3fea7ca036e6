package dev.kiln.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.spec.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code kiln validate} in-process: substitutions, one warning for what a trigger gives, JSON for editors. */
class ValidateCommandTest {
    static final String NEEDS_TRIGGER = """
            substitutions:
              _CLUSTER:
            steps:
              - args: [deploy, '--zone=$_ZONE', '--cluster=$_CLUSTER']
              - args: [verify, '$_ZONE', '${_CLUSTER}']
            """;

    @TempDir Path tmp;
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    int validate(String yaml, String... args) throws Exception {
        Files.writeString(tmp.resolve("cloudbuild.yaml"), yaml);
        ValidateCommand command = new ValidateCommand();
        command.out = new PrintStream(out, true, StandardCharsets.UTF_8);
        command.err = new PrintStream(err, true, StandardCharsets.UTF_8);
        String[] all = new String[args.length + 1];
        all[0] = tmp.toString();
        System.arraycopy(args, 0, all, 1, args.length);
        return new CommandLine(command).execute(all);
    }

    String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void substitutions_a_trigger_would_give_are_one_warning_and_exit_zero() throws Exception {
        assertThat(validate(NEEDS_TRIGGER)).as(err()).isZero();

        assertThat(err()).isEqualTo("warning: cloudbuild.yaml:1:1: needs _CLUSTER, _ZONE from the trigger or --substitutions\n");
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("cloudbuild.yaml: OK, 2 step(s)");
    }

    @Test
    void with_values_it_checks_as_submit_would() throws Exception {
        assertThat(validate(NEEDS_TRIGGER, "--substitutions", "_ZONE=eu,_CLUSTER=c1")).as(err()).isZero();
        assertThat(err()).isEmpty();
    }

    @Test
    void with_some_values_what_is_still_missing_is_an_error_told_once() throws Exception {
        assertThat(validate(NEEDS_TRIGGER, "--substitutions", "_ZONE=eu")).isEqualTo(2);

        assertThat(err()).isEqualTo("cloudbuild.yaml:1:1: needs _CLUSTER from the trigger or --substitutions\n"
                + "1 error(s); nothing would run.\n");
    }

    @Test
    void other_problems_are_still_errors_beside_the_missing_values() throws Exception {
        assertThat(validate(NEEDS_TRIGGER + "  - args: [x]\n    timeout: soon\n")).isEqualTo(2);

        assertThat(err()).contains("cloudbuild.yaml:7:14: step #2: timeout: 'soon' is not a duration")
                .doesNotContain("unknown substitution");
    }

    @Test
    void a_value_given_with_a_wrong_shape_is_refused() throws Exception {
        assertThat(validate(NEEDS_TRIGGER, "--substitutions", "_ZONE")).isEqualTo(2);
        assertThat(err()).contains("ERROR: --substitutions: '_ZONE' must have the form _KEY=VALUE");
    }

    @Test
    void the_same_problem_at_the_same_place_is_printed_once() throws Exception {
        assertThat(validate("steps:\n  - args: ['$HOME and $HOME']\n")).isEqualTo(2);

        assertThat(err()).isEqualTo("cloudbuild.yaml:2:12: unknown substitution '$HOME'; define it under 'substitutions', "
                + "pass it with --substitutions, or write $$ for a literal $\n1 error(s); nothing would run.\n");
    }

    @Test
    void json_lists_errors_and_warnings_as_objects_an_editor_can_read() throws Exception {
        assertThat(validate(NEEDS_TRIGGER + "options:\n  machineType: E2_HIGHCPU_8\n", "--format", "json")).isZero();

        JsonNode report = Json.MAPPER.readTree(out.toString(StandardCharsets.UTF_8));
        assertThat(report.get("ok").asBoolean()).isTrue();
        assertThat(report.get("steps").asInt()).isEqualTo(2);
        assertThat(report.get("needs")).extracting(JsonNode::asText).containsExactly("_CLUSTER", "_ZONE");
        assertThat(report.get("problems")).hasSize(2);
        JsonNode first = report.get("problems").get(0);
        assertThat(first.get("file").asText()).isEqualTo("cloudbuild.yaml");
        assertThat(first.get("line").asInt()).isEqualTo(1);
        assertThat(first.get("column").asInt()).isEqualTo(1);
        assertThat(first.get("severity").asText()).isEqualTo("warning");
        assertThat(first.get("message").asText()).isEqualTo("needs _CLUSTER, _ZONE from the trigger or --substitutions");
        assertThat(report.get("problems").get(1).get("line").asInt()).isEqualTo(7);
    }

    @Test
    void json_errors_keep_exit_code_two() throws Exception {
        assertThat(validate("steps:\n  - args: [a]\n    timeout: soon\n", "--format", "json")).isEqualTo(2);

        JsonNode report = Json.MAPPER.readTree(out.toString(StandardCharsets.UTF_8));
        assertThat(report.get("ok").asBoolean()).isFalse();
        assertThat(report.get("problems").get(0).get("severity").asText()).isEqualTo("error");
        assertThat(report.get("problems").get(0).get("line").asInt()).isEqualTo(3);
        assertThat(err()).isEmpty();
    }

    @Test
    void an_unknown_format_is_refused_naming_the_choices() throws Exception {
        assertThat(validate("steps:\n  - args: [a]\n", "--format", "yaml")).isEqualTo(2);
    }
}
