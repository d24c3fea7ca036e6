package dev.kiln.spec.config;

import static dev.kiln.spec.Fixtures.lines;
import static dev.kiln.spec.Fixtures.parse;
import static dev.kiln.spec.Fixtures.problems;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Cloud Build's availableSecrets.secretManager read as Kiln secrets, and secretEnv checked against it. */
class SecretNamesTest {

    @Test
    void a_version_name_and_a_bare_name_both_name_a_kiln_secret() {
        BuildSpec spec = parse("""
                steps:
                  - args: [x]
                    secretEnv: [A, B]
                availableSecrets:
                  secretManager:
                    - versionName: projects/$PROJECT_ID/secrets/deploy_key/versions/latest
                      env: A
                    - versionName: hf-token
                      env: B
                """);

        assertThat(spec.secrets()).containsExactlyInAnyOrderEntriesOf(Map.of("A", "deploy_key", "B", "hf-token"));
        assertThat(spec.warnings()).isEmpty();
        assertThat(spec.steps().get(0).secretEnv()).containsExactly("A", "B");
    }

    @Test
    void a_secret_env_not_declared_is_refused_at_its_own_position() {
        assertThat(lines(problems("""
                steps:
                  - id: deploy
                    args: [x]
                    secretEnv: [A, TYPO]
                availableSecrets:
                  secretManager:
                    - {versionName: a, env: A}
                """))).containsExactly(
                "build.yaml:4:20: step 'deploy': secretEnv TYPO is not declared in availableSecrets.secretManager[].env"
                        + " (declared: A)");
        assertThat(lines(problems("steps:\n  - args: [x]\n    secretEnv: [TOKEN]\n"))).containsExactly(
                "build.yaml:3:17: step #0: secretEnv TOKEN is not declared in availableSecrets.secretManager[].env"
                        + " (the config declares none)");
    }

    @Test
    void bad_entries_are_refused_where_they_are_written() {
        assertThat(lines(problems("""
                steps:
                  - args: [x]
                availableSecrets:
                  secretManager:
                    - {versionName: projects/p/secrets/a b/versions/1, env: A}
                    - {versionName: ok, env: 1BAD}
                    - {versionName: ok, env: A2}
                    - {versionName: ok2, env: A2}
                    - {env: C}
                """))).containsExactly(
                "build.yaml:5:21: availableSecrets.secretManager: versionName 'projects/p/secrets/a b/versions/1' must be"
                        + " projects/PROJECT/secrets/NAME/versions/VERSION or a bare NAME, the name of a Kiln secret"
                        + " (letters, digits, '_' and '-')",
                "build.yaml:6:30: availableSecrets.secretManager: env '1BAD' is not a variable name",
                "build.yaml:8:31: availableSecrets.secretManager: env A2 is declared twice",
                "build.yaml:9:7: availableSecrets.secretManager: an entry needs versionName, naming a Kiln secret");
    }
}
