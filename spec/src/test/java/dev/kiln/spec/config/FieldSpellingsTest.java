package dev.kiln.spec.config;

import static dev.kiln.spec.Fixtures.lines;
import static dev.kiln.spec.Fixtures.parse;
import static dev.kiln.spec.Fixtures.problems;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Cloud Build takes each field's proto name (wait_for) as well as its JSON name (waitFor), at every level. */
class FieldSpellingsTest {

    @ParameterizedTest
    @CsvSource({
            "waitFor, wait_for",
            "secretEnv, secret_env",
            "allowFailure, allow_failure",
            "allowExitCodes, allow_exit_codes",
            "diskSizeGb, disk_size_gb",
            "logStreamingOption, log_streaming_option",
            "kmsKeyName, kms_key_name",
            "queueTtl, queue_ttl",
            "args, args",
    })
    void the_proto_name_is_derived_from_the_json_name(String json, String proto) {
        assertThat(FieldNames.snake(json)).isEqualTo(proto);
    }

    @Test
    void a_config_in_proto_names_at_every_level_reads_as_its_json_twin() {
        BuildSpec snake = parse("""
                queue_ttl: 60s
                substitutions:
                  _A: x
                options:
                  substitution_option: ALLOW_LOOSE
                  machine_type: E2_HIGHCPU_8
                  log_streaming_option: STREAM_ON
                  dynamic_substitutions: true
                  disk_size_gb: 100
                available_secrets:
                  secret_manager:
                    - version_name: projects/p/secrets/s/versions/1
                      env: S
                secrets:
                  - kms_key_name: projects/p/locations/global/keyRings/r/cryptoKeys/k
                    secret_env:
                      K: c2VjcmV0
                logs_bucket: gs://b
                service_account: projects/p/serviceAccounts/sa
                artifacts:
                  python_packages:
                    - repository: https://r
                      paths: [dist/*]
                steps:
                  - id: a
                    args: [x]
                  - id: b
                    args: [y]
                    wait_for: [a]
                    secret_env: [S]
                    allow_failure: true
                    allow_exit_codes: [3]
                    automap_substitutions: true
                """);
        BuildSpec camel = parse("""
                queueTtl: 60s
                substitutions:
                  _A: x
                options:
                  substitutionOption: ALLOW_LOOSE
                steps:
                  - id: a
                    args: [x]
                  - id: b
                    args: [y]
                    waitFor: [a]
                    secretEnv: [S]
                    allowFailure: true
                    allowExitCodes: [3]
                availableSecrets:
                  secretManager:
                    - versionName: projects/p/secrets/s/versions/1
                      env: S
                """);

        assertThat(snake.queueTtl()).isEqualTo(Duration.ofMinutes(1)).isEqualTo(camel.queueTtl());
        assertThat(snake.allowLooseSubstitutions()).isTrue();
        assertThat(snake.steps().get(1)).usingRecursiveComparison().ignoringFields("mark").isEqualTo(camel.steps().get(1));
        assertThat(snake.markOf("steps[1].waitFor[0]")).as("marks use Kiln's path whatever the spelling")
                .hasToString("build.yaml:29:16");
    }

    @Test
    void warnings_about_fields_kiln_does_not_act_on_keep_the_users_spelling() {
        BuildSpec spec = parse("options:\n  machine_type: E2_MEDIUM\nlogs_bucket: gs://b\nsteps:\n  - args: [x]\n");

        assertThat(lines(spec.warnings())).contains(
                "build.yaml:2:3: options: 'machine_type' is read but not acted on by Kiln",
                "build.yaml:3:1: config: 'logs_bucket' is read but not acted on by Kiln");
    }

    @Test
    void both_spellings_of_one_field_in_one_object_is_an_error_naming_both() {
        assertThat(lines(problems("""
                queueTtl: 10s
                queue_ttl: 20s
                options:
                  machine_type: E2_MEDIUM
                  machineType: E2_MEDIUM
                steps:
                  - args: [x]
                    wait_for: ['-']
                    waitFor: ['-']
                availableSecrets:
                  secretManager:
                    - versionName: v
                      version_name: v
                """))).containsExactly(
                "build.yaml:2:1: config: 'queueTtl' and 'queue_ttl' are the same field; give it once",
                "build.yaml:5:3: options: 'machine_type' and 'machineType' are the same field; give it once",
                "build.yaml:9:5: step #0: 'wait_for' and 'waitFor' are the same field; give it once",
                "build.yaml:13:7: availableSecrets.secretManager[0]: 'versionName' and 'version_name' are the same field;"
                        + " give it once");
    }

    @Test
    void errors_about_a_value_keep_the_users_spelling() {
        assertThat(lines(problems("""
                queue_ttl: soon
                options:
                  substitution_option: LOOSE
                  log_streaming_option: ON
                available_secrets:
                  secret_manager:
                    - version_name: [v]
                steps:
                  - args: [x]
                    allow_failure: yes
                    allow_exit_codes: [x]
                    wait_for: ['-', '-']
                    secret_env: {A: b}
                """))).containsExactly(
                "build.yaml:1:12: queue_ttl: 'soon' is not a duration; write e.g. 600s, 1.5s or 10m",
                "build.yaml:3:24: options.substitution_option must be MUST_MATCH or ALLOW_LOOSE, not 'LOOSE'",
                "build.yaml:4:25: options.log_streaming_option must be one of STREAM_DEFAULT, STREAM_ON, STREAM_OFF;"
                        + " not 'ON'",
                "build.yaml:7:21: available_secrets.secret_manager[0].version_name must be a single value, not a list",
                "build.yaml:10:20: step #0: allow_failure must be true or false, not 'yes'",
                "build.yaml:11:23: step #0: allow_exit_codes must be whole numbers, not 'x'",
                "build.yaml:12:15: step #0: wait_for '-' means 'start at once' and cannot be combined with step ids",
                "build.yaml:13:17: steps[0].secret_env must be a list of values, not a mapping");
    }

    @ParameterizedTest
    @CsvSource({
            "wiatFor, waitFor",
            "wait_fro, wait_for",
            "secret_evn, secret_env",
            "allow_failur, allow_failure",
            "waitfor, waitFor",
    })
    void a_typo_in_either_spelling_suggests_the_field_in_that_spelling(String typo, String meant) {
        assertThat(lines(problems("steps:\n  - args: [x]\n    " + typo + ": y\n")))
                .containsExactly("build.yaml:3:5: step #0: unknown field '" + typo + "'; did you mean '" + meant + "'?");
    }

    @Test
    void a_typo_inside_a_field_kiln_does_not_act_on_is_still_caught() {
        assertThat(lines(problems("available_secrets:\n  secret_manager:\n    - version_nam: v\nsteps:\n  - args: [x]\n")))
                .containsExactly("build.yaml:3:7: available_secrets.secret_manager[0]: unknown field 'version_nam';"
                        + " did you mean 'version_name'?");
    }

    @Test
    void substitution_keys_are_the_users_names_not_fields() {
        BuildSpec spec = parse("substitutions:\n  _MY_VAR: a\n  _MYVAR: b\nsteps:\n  - args: [$_MY_VAR, $_MYVAR]\n");

        assertThat(spec.substitutions()).containsOnlyKeys("_MY_VAR", "_MYVAR");
    }
}
