package dev.kiln.spec.config;

import static dev.kiln.spec.Fixtures.CLOUD_BUILD_CONFIG;
import static dev.kiln.spec.Fixtures.lines;
import static dev.kiln.spec.Fixtures.parse;
import static dev.kiln.spec.Fixtures.problems;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Fields Kiln reads but does not act on must still have the type Cloud Build's build resource gives
 * them: a config Cloud Build would refuse is refused here too, at its line and column.
 */
class IgnoredFieldShapesTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            // a secret's secretEnv maps names to (encrypted) strings
            "secrets: [{kmsKeyName: k, secretEnv: [A, B]}]|1:38|secrets[0].secretEnv must be a mapping of names to values, not a list",
            "secrets: [{kmsKeyName: [k], secretEnv: {A: x}}]|1:24|secrets[0].kmsKeyName must be a single value, not a list",
            "secrets: [{kmsKeyName: k, secretEnv: {A: [x]}}]|1:42|secrets[0].secretEnv.A must be a single value, not a list",
            "secrets: {kmsKeyName: k}|1:10|secrets: one value where Cloud Build expects a list; read as a list of one, write it as a list item ('- ' before its first field)",
            "availableSecrets: [{versionName: v, env: E}]|1:19|availableSecrets must be a mapping",
            "availableSecrets: {secretManager: [{versionName: v, env: [E]}]}|1:58|availableSecrets.secretManager[0].env must be a single value, not a list",
            "availableSecrets: {secretManager: [{version: v, env: E}]}|1:37|availableSecrets.secretManager[0]: unknown field 'version'",
            "availableSecrets: {secretManager: {versionName: v, env: E}, inline: [{kmsKeyName: k, envMap: [A]}]}|1:94|availableSecrets.inline[0].envMap must be a mapping of names to values, not a list",
            "options: {machineType: BIG}|1:24|options.machineType must be one of UNSPECIFIED, N1_HIGHCPU_8, N1_HIGHCPU_32, E2_HIGHCPU_8, E2_HIGHCPU_32, E2_MEDIUM, E2_STANDARD_2; not 'BIG'",
            "options: {machineType: E2_HIGHCPU8}|1:24|options.machineType must be one of UNSPECIFIED, N1_HIGHCPU_8, N1_HIGHCPU_32, E2_HIGHCPU_8, E2_HIGHCPU_32, E2_MEDIUM, E2_STANDARD_2; not 'E2_HIGHCPU8'; did you mean 'E2_HIGHCPU_8'?",
            "options: {logging: CLOUD_LOGGING}|1:20|options.logging must be one of LOGGING_UNSPECIFIED, LEGACY, GCS_ONLY, STACKDRIVER_ONLY, CLOUD_LOGGING_ONLY, NONE; not 'CLOUD_LOGGING'",
            "options: {logStreamingOption: true}|1:31|options.logStreamingOption must be one of STREAM_DEFAULT, STREAM_ON, STREAM_OFF; not 'true'",
            "options: {requestedVerifyOption: yes}|1:34|options.requestedVerifyOption must be one of NOT_VERIFIED, VERIFIED; not 'yes'",
            "options: {sourceProvenanceHash: [SHA256, SHA1]}|1:42|options.sourceProvenanceHash[1] must be one of NONE, SHA256, MD5, GO_MODULE_H1, SHA512; not 'SHA1'",
            "options: {diskSizeGb: 100GB}|1:23|options.diskSizeGb must be a whole number, not '100GB'",
            "options: {dynamicSubstitutions: 'on'}|1:33|options.dynamicSubstitutions must be true or false, not 'on'",
            "options: {volumes: [{name: v, path: /cache, size: 1}]}|1:45|options.volumes[0]: unknown field 'size'",
            "options: {defaultLogsBucketBehavior: REGIONAL}|1:38|options.defaultLogsBucketBehavior must be one of DEFAULT_LOGS_BUCKET_BEHAVIOR_UNSPECIFIED, REGIONAL_USER_OWNED_BUCKET, LEGACY_BUCKET; not 'REGIONAL'",
            "logsBucket: {name: b}|1:13|logsBucket must be a single value, not a mapping",
            "serviceAccount: [sa]|1:17|serviceAccount must be a single value, not a list",
            "artifacts: {objects: [{location: gs://b, paths: [a]}]}|1:22|artifacts.objects must be a mapping",
            "artifacts: {objects: {location: gs://b, path: [a]}}|1:41|artifacts.objects: unknown field 'path'; did you mean 'paths'?",
            "artifacts: {pythonPackages: [{repository: r, paths: {a: b}}]}|1:53|artifacts.pythonPackages[0].paths must be a list, not a mapping",
            "artifacts: {images: {a: b}}|1:21|artifacts.images must be a list, not a mapping",
    })
    void a_wrong_type_in_a_field_kiln_does_not_act_on_is_refused_at_its_position(String yaml, String at, String message) {
        String config = yaml + "\nsteps:\n  - args: [x]\n";
        if (message.contains("one value where")) {
            assertThat(lines(parse(config).warnings())).contains("build.yaml:" + at + ": " + message);
        } else {
            assertThat(lines(problems(config))).containsExactly("build.yaml:" + at + ": " + message);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "automapSubstitutions: 1|3:27|steps[0].automapSubstitutions must be true or false, not '1'",
    })
    void a_wrong_type_in_a_step_field_kiln_does_not_act_on_is_refused(String field, String at, String message) {
        String config = "steps:\n  - args: [x]\n    " + field + "\n";
        if (message.contains("one value where")) {
            assertThat(lines(parse(config).warnings())).contains("build.yaml:" + at + ": " + message);
        } else {
            assertThat(lines(problems(config))).containsExactly("build.yaml:" + at + ": " + message);
        }
    }

    @Test
    void every_field_of_the_right_type_is_accepted_and_still_named_in_a_warning() {
        BuildSpec spec = parse("""
                availableSecrets:
                  secretManager:
                    - versionName: projects/$PROJECT_ID/secrets/token/versions/latest
                      env: TOKEN
                  inline:
                    - kmsKeyName: projects/p/locations/global/keyRings/r/cryptoKeys/k
                      envMap:
                        PASSWORD: c2VjcmV0
                secrets:
                  - kmsKeyName: projects/p/locations/global/keyRings/r/cryptoKeys/k
                    secretEnv:
                      OLD: c2VjcmV0
                options:
                  machineType: E2_HIGHCPU_32
                  logging: CLOUD_LOGGING_ONLY
                  diskSizeGb: '200'
                  logStreamingOption: STREAM_OFF
                  requestedVerifyOption: VERIFIED
                  sourceProvenanceHash: [SHA256, MD5]
                  dynamicSubstitutions: true
                  automapSubstitutions: false
                  defaultLogsBucketBehavior: REGIONAL_USER_OWNED_BUCKET
                  volumes:
                    - name: cache
                      path: /cache
                  secretEnv: [TOKEN]
                  workerPool: projects/p/locations/l/workerPools/w
                logsBucket: gs://logs
                serviceAccount: projects/p/serviceAccounts/sa@p.iam.gserviceaccount.com
                artifacts:
                  images: [gcr.io/p/app]
                  objects:
                    location: gs://b/out/
                    paths: [out/*.tar.gz]
                  pythonPackages:
                    - repository: https://europe-python.pkg.dev/p/r
                      paths: [dist/*]
                steps:
                  - name: busybox
                    args: [x]
                    secretEnv: [TOKEN, PASSWORD, OLD]
                    volumes:
                      - name: cache
                        path: /cache
                    automapSubstitutions: true
                """);

        assertThat(spec.secrets()).containsExactly(java.util.Map.entry("TOKEN", "token"));
        assertThat(lines(spec.warnings())).contains(
                "build.yaml:6:5: availableSecrets.inline (KMS ciphertexts) is not acted on by Kiln: its variables stay"
                        + " unset; keep the value as a Kiln secret (kiln secrets set) and name it in secretManager",
                "build.yaml:41:24: step #0: secretEnv PASSWORD comes from a KMS ciphertext Kiln does not decrypt: it will be unset",
                "build.yaml:41:34: step #0: secretEnv OLD comes from a KMS ciphertext Kiln does not decrypt: it will be unset",
                "build.yaml:9:1: config: 'secrets' is read but not acted on by Kiln",
                "build.yaml:14:3: options: 'machineType' is read but not acted on by Kiln",
                "build.yaml:15:3: options: 'logging' is read but not acted on by Kiln",
                "build.yaml:31:3: artifacts.images is read but not acted on by Kiln;"
                        + " artifacts.objects and a step's artifacts are stored");
        assertThat(spec.artifactObjects()).isEqualTo(new ArtifactObjects("gs://b/out/", java.util.List.of("out/*.tar.gz")));
        assertThat(spec.steps().get(0).volumes()).containsExactly(new Volume("cache", "/cache"));
    }

    @Test
    void the_typical_cloud_build_config_is_still_accepted() {
        assertThat(parse(CLOUD_BUILD_CONFIG).steps()).hasSize(3);
    }
}
