package dev.kiln.spec.config;

import static dev.kiln.spec.Fixtures.CLOUD_BUILD_CONFIG;
import static dev.kiln.spec.Fixtures.lines;
import static dev.kiln.spec.Fixtures.parse;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Configs that must be accepted, and what they turn into. */
class ConfigParserTest {

    static final String KILN_CONFIG = """
            timeout: 1800s
            queueTtl: 10m
            tags: [nightly, ml]
            substitutions:
              _MODEL: resnet
            options:
              env: ['PYTHONUNBUFFERED=1']
              substitutionOption: MUST_MATCH
            steps:
              - id: prep
                args: ['python', 'prep.py', '--model', '$_MODEL']
                dir: ml
                env: ['STAGE=prep']
                timeout: 90s
              - id: train
                entrypoint: bash
                args: ['-c', 'python train.py']
                waitFor: ['prep']
                timeout: 1.5s
                allowFailure: true
                allowExitCodes: [0, 3]
                secretEnv: [WANDB_KEY]
              - id: lint
                script: |
                  #!/usr/bin/env bash
                  ruff check .
                waitFor: ['-']
            availableSecrets:
              secretManager:
                - versionName: projects/p/secrets/wandb/versions/1
                  env: WANDB_KEY
            """;

    @Test
    void a_config_using_every_supported_field_parses_into_steps() {
        BuildSpec spec = parse(KILN_CONFIG);

        assertThat(spec.file()).isEqualTo("build.yaml");
        assertThat(spec.timeout()).isEqualTo(Duration.ofMinutes(30));
        assertThat(spec.queueTtl()).isEqualTo(Duration.ofMinutes(10));
        assertThat(spec.tags()).containsExactly("nightly", "ml");
        assertThat(spec.substitutions()).containsExactlyEntriesOf(java.util.Map.of("_MODEL", "resnet"));
        assertThat(spec.allowLooseSubstitutions()).isFalse();
        assertThat(spec.env()).containsExactly("PYTHONUNBUFFERED=1");
        assertThat(spec.images()).isEmpty();
        assertThat(lines(spec.warnings())).isEmpty();
        assertThat(spec.secrets()).containsExactly(java.util.Map.entry("WANDB_KEY", "wandb"));
        assertThat(spec.steps()).hasSize(3);

        Step prep = spec.steps().get(0);
        assertThat(prep.index()).isZero();
        assertThat(prep.id()).isEqualTo("prep");
        assertThat(prep.name()).isNull();
        assertThat(prep.isLocal()).isTrue();
        assertThat(prep.args()).containsExactly("python", "prep.py", "--model", "$_MODEL");
        assertThat(prep.dir()).isEqualTo("ml");
        assertThat(prep.env()).containsExactly("STAGE=prep");
        assertThat(prep.timeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(prep.waitFor()).as("no waitFor: all previous steps").isNull();
        assertThat(prep.allowFailure()).isFalse();
        assertThat(prep.allowExitCodes()).isEmpty();
        assertThat(prep.secretEnv()).isEmpty();
        assertThat(prep.mark()).isEqualTo(new SourceMark("build.yaml", 10, 5));

        Step train = spec.steps().get(1);
        assertThat(train.displayId()).isEqualTo("train");
        assertThat(train.entrypoint()).isEqualTo("bash");
        assertThat(train.args()).containsExactly("-c", "python train.py");
        assertThat(train.waitFor()).containsExactly("prep");
        assertThat(train.timeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(train.allowFailure()).isTrue();
        assertThat(train.allowExitCodes()).containsExactly(0, 3);
        assertThat(train.secretEnv()).containsExactly("WANDB_KEY");

        Step lint = spec.steps().get(2);
        assertThat(lint.script()).isEqualTo("#!/usr/bin/env bash\nruff check .\n");
        assertThat(lint.args()).isEmpty();
        assertThat(lint.waitFor()).containsExactly("-");
        assertThat(lint.timeout()).isNull();
    }

    @Test
    void marks_point_every_value_at_its_line_and_column() {
        BuildSpec spec = parse(KILN_CONFIG);

        assertThat(spec.markOf("steps[0].args[0]")).hasToString("build.yaml:11:12");
        assertThat(spec.markOf("steps[0].args[3]")).hasToString("build.yaml:11:44");
        assertThat(spec.markOf("steps[1].waitFor[0]")).hasToString("build.yaml:18:15");
        assertThat(spec.markOf("options.env[0]")).hasToString("build.yaml:7:9");
        assertThat(spec.markOf("substitutions._MODEL")).hasToString("build.yaml:5:3");
        assertThat(spec.markOf("no.such.path")).as("unknown paths fall back to the top").hasToString("build.yaml:1:1");
    }

    @Test
    void a_real_world_cloudbuild_yaml_is_accepted_with_warnings_naming_the_fields_kiln_does_not_act_on() {
        BuildSpec spec = parse(CLOUD_BUILD_CONFIG);

        assertThat(spec.steps()).extracting(Step::displayId).containsExactly("build-image", "push", "Step #2");
        assertThat(spec.steps().get(0).name()).isEqualTo("gcr.io/cloud-builders/docker");
        assertThat(spec.steps().get(0).isLocal()).isFalse();
        assertThat(spec.steps().get(2).entrypoint()).isEqualTo("gcloud");
        assertThat(spec.steps().get(2).secretEnv()).containsExactly("API_KEY");
        assertThat(spec.images()).containsExactly("gcr.io/$PROJECT_ID/app:$SHORT_SHA");
        assertThat(spec.timeout()).isEqualTo(Duration.ofMinutes(20));
        assertThat(spec.substitutions()).containsEntry("_REGION", "europe-west1");

        assertThat(lines(spec.warnings())).contains(
                "build.yaml:18:3: options: 'machineType' is read but not acted on by Kiln",
                "build.yaml:19:3: options: 'logging' is read but not acted on by Kiln",
                "build.yaml:20:1: config: 'logsBucket' is read but not acted on by Kiln",
                "build.yaml:21:1: config: 'serviceAccount' is read but not acted on by Kiln",
                "build.yaml:21:1: config: 'serviceAccount' is read but not acted on by Kiln");
        assertThat(spec.secrets()).as("versionName projects/p/secrets/api-key/versions/latest names the Kiln secret api-key")
                .containsExactly(java.util.Map.entry("API_KEY", "api-key"));
        // images: are pushed now (by an agent with a Docker engine) and steps in images run on agents with one:
        // nothing to warn about.
        assertThat(lines(spec.warnings())).noneMatch(w -> w.contains("'images'"));
        assertThat(lines(spec.warnings())).noneMatch(w -> w.contains("runs in image"));
        assertThat(spec.warnings()).hasSize(4);
    }

    @Test
    void a_json_config_with_tab_indentation_parses() {
        String json = """
                {
                \t"steps": [
                \t\t{
                \t\t\t"id": "hello",
                \t\t\t"args": ["echo", "hello\\tworld"],
                \t\t\t"env": ["A=1"],
                \t\t\t"waitFor": ["-"]
                \t\t},
                \t\t{
                \t\t\t"name": "local",
                \t\t\t"args": ["curl", "https:\\/\\/example.com\\/a"],
                \t\t\t"timeout": "30s",
                \t\t\t"allowFailure": false,
                \t\t\t"allowExitCodes": [1, 2]
                \t\t}
                \t],
                \t"timeout": "600s",
                \t"substitutions": {"_X": "y", "_TAB": "a\tb"},
                \t"options": {"env": ["B=2"], "substitutionOption": "ALLOW_LOOSE"}
                }
                """;

        BuildSpec spec;
        try {
            spec = ConfigParser.parse("cloudbuild.json", json);
        } catch (ConfigException e) {
            throw new AssertionError(e.getMessage(), e);
        }

        assertThat(spec.steps()).hasSize(2);
        assertThat(spec.steps().get(0).id()).isEqualTo("hello");
        assertThat(spec.steps().get(0).args()).containsExactly("echo", "hello\tworld");
        assertThat(spec.steps().get(0).env()).containsExactly("A=1");
        assertThat(spec.steps().get(0).waitFor()).containsExactly("-");
        assertThat(spec.steps().get(1).isLocal()).isTrue();
        assertThat(spec.steps().get(1).args()).as("JSON's \\/ escape").containsExactly("curl", "https://example.com/a");
        assertThat(spec.steps().get(1).timeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(spec.steps().get(1).allowExitCodes()).containsExactly(1, 2);
        assertThat(spec.timeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(spec.substitutions()).containsEntry("_X", "y");
        assertThat(spec.substitutions()).as("a tab inside a string is text, not indentation").containsEntry("_TAB", "a\tb");
        assertThat(spec.env()).containsExactly("B=2");
        assertThat(spec.allowLooseSubstitutions()).isTrue();
        assertThat(spec.markOf("steps[0].id")).hasToString("cloudbuild.json:4:10");
        assertThat(spec.markOf("steps[1].args[1]")).as("each indenting tab is one column").hasToString("cloudbuild.json:11:21");
    }

    @Test
    void json_is_recognised_by_its_opening_brace_even_when_the_file_is_named_yaml() throws Exception {
        BuildSpec spec = ConfigParser.parse("cloudbuild.yaml", "\n\t{\n\t\"steps\":\t[{\"args\": [\"true\"]}]\n}\n");

        assertThat(spec.steps()).hasSize(1);
        assertThat(spec.steps().get(0).args()).containsExactly("true");
    }

    @Test
    void json_without_spaces_after_colons_parses() throws Exception {
        BuildSpec spec = ConfigParser.parse("cloudbuild.json", "{\"steps\":[{\"id\":\"a\",\"args\":[\"x\"]}],\"timeout\":\"5s\"}");

        assertThat(spec.steps().get(0).id()).isEqualTo("a");
        assertThat(spec.timeout()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void a_utf8_byte_order_mark_is_ignored() throws Exception {
        byte[] yaml = "\uFEFFsteps:\n  - args: [echo, héllo]\n".getBytes(StandardCharsets.UTF_8);
        byte[] json = "\uFEFF{\n\t\"steps\": [{\"args\": [\"echo\"]}]\n}".getBytes(StandardCharsets.UTF_8);

        assertThat(ConfigParser.parse("build.yaml", yaml).steps().get(0).args()).containsExactly("echo", "héllo");
        assertThat(ConfigParser.parse("build.yaml", json).steps().get(0).args()).containsExactly("echo");
        assertThat(ConfigParser.parse("build.yaml", yaml).markOf("steps[0].args[0]")).hasToString("build.yaml:2:12");
    }

    @Test
    void a_step_named_local_runs_on_the_agent() {
        Step step = parse("steps:\n  - name: local\n    args: [make]\n").steps().get(0);

        assertThat(step.isLocal()).isTrue();
        assertThat(step.name()).isEqualTo("local");
    }

    @Test
    void a_lone_value_where_a_list_is_expected_is_a_list_of_one() {
        Step step = parse("steps:\n  - id: b\n    args: make\n    waitFor: '-'\n    env: A=1\n").steps().get(0);

        assertThat(step.args()).containsExactly("make");
        assertThat(step.waitFor()).containsExactly("-");
        assertThat(step.env()).containsExactly("A=1");
    }

    @Test
    void an_empty_waitFor_means_all_previous_steps_as_in_cloud_build() {
        BuildSpec spec = parse("""
                steps:
                  - args: [a]
                  - args: [b]
                    waitFor: []
                  - args: [c]
                    waitFor:
                """);

        assertThat(spec.steps()).extracting(Step::waitFor).containsOnlyNulls();
    }

    @Test
    void a_field_with_no_value_is_not_set() {
        BuildSpec spec = parse("""
                timeout:
                substitutions:
                options:
                tags: ~
                steps:
                  - id: a
                    args: [echo]
                    dir:
                    timeout: null
                    name:
                """);

        assertThat(spec.timeout()).isNull();
        assertThat(spec.substitutions()).isEmpty();
        assertThat(spec.tags()).isEmpty();
        Step a = spec.steps().get(0);
        assertThat(a.dir()).isNull();
        assertThat(a.timeout()).isNull();
        assertThat(a.name()).isNull();
        assertThat(a.isLocal()).isTrue();
    }

    @Test
    void an_entrypoint_alone_is_something_to_run_and_an_image_step_may_use_its_default_command() {
        BuildSpec spec = parse("""
                steps:
                  - entrypoint: ./ci.sh
                  - name: alpine
                """);

        assertThat(spec.steps()).hasSize(2);
        assertThat(spec.steps().get(1).args()).isEmpty();
    }

    @Test
    void yaml_anchors_for_a_few_shared_values_are_fine() {
        BuildSpec spec = parse("""
                steps:
                  - id: a
                    env: &common [GOFLAGS=-mod=mod, CGO_ENABLED=0]
                    args: [go, build]
                  - id: b
                    env: *common
                    args: [go, test]
                """);

        assertThat(spec.steps().get(1).env()).containsExactly("GOFLAGS=-mod=mod", "CGO_ENABLED=0");
    }

    @Test
    void substitution_values_keep_their_text_whatever_yaml_type_they_look_like() {
        BuildSpec spec = parse("""
                substitutions:
                  _N: 010
                  _B: yes
                  _E: ''
                  _F: 1.50
                  _G:
                steps:
                  - args: [echo, $_N, $_B, $_E, $_F, $_G]
                """);

        assertThat(spec.substitutions()).containsEntry("_N", "010").containsEntry("_B", "yes")
                .containsEntry("_E", "").containsEntry("_F", "1.50").doesNotContainKey("_G");
        assertThat(spec.substitutionInfo().withoutDefault()).as("no value is no default, not an empty one")
                .containsExactly("_G");
    }

    @Test
    void list_items_keep_their_literal_text() {
        Step step = parse("steps:\n  - args: [test, '', null, ~, 1.0, true, 0x10]\n").steps().get(0);

        assertThat(step.args()).containsExactly("test", "", "null", "~", "1.0", "true", "0x10");
    }
}
