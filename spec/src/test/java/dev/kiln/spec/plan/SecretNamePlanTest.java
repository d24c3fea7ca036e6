package dev.kiln.spec.plan;

import static dev.kiln.spec.plan.PlannerTest.SUBMIT;
import static dev.kiln.spec.plan.PlannerTest.plan;
import static dev.kiln.spec.plan.PlannerTest.refused;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** A versionName with a substitution in its secret's part (Cloud Build allows it) names a Kiln secret once planned. */
class SecretNamePlanTest {
    private static final String CONFIG = """
            substitutions:
              _SECRET_NAME: deploy_key
            steps:
              - args: [x]
                secretEnv: [SSH_KEY, TOKEN]
            availableSecrets:
              secretManager:
                - env: SSH_KEY
                  versionName: $_SECRET_NAME
                - env: TOKEN
                  versionName: projects/${PROJECT_NUMBER}/secrets/gh-token/versions/latest
            """;

    @Test
    void the_plan_names_the_substituted_secret() {
        assertThat(plan(CONFIG, SUBMIT).secrets()).containsExactlyInAnyOrderEntriesOf(
                Map.of("SSH_KEY", "deploy_key", "TOKEN", "gh-token"));
        assertThat(plan(CONFIG, BuildContext.submit("build-1", "my-project", Map.of("_SECRET_NAME", "other")))
                .secrets()).containsEntry("SSH_KEY", "other");
    }

    @Test
    void a_substituted_value_that_is_no_name_is_refused() {
        assertThat(refused(CONFIG, BuildContext.submit("build-1", "my-project", Map.of("_SECRET_NAME", "a b"))))
                .anyMatch(p -> p.contains("versionName '$_SECRET_NAME' is 'a b' after substitutions"));
    }
}
