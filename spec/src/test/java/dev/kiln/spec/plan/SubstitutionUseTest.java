package dev.kiln.spec.plan;

import static dev.kiln.spec.plan.PlannerTest.SUBMIT;
import static dev.kiln.spec.plan.PlannerTest.plan;
import static dev.kiln.spec.plan.PlannerTest.refused;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Class 2 of issue 9: with MUST_MATCH, a substitution is used when any string of the config names
 * it, also in fields Kiln does not act on. Each row names {@code _X} in one place only.
 */
class SubstitutionUseTest {
    static List<Arguments> places() {
        return List.of(
                row("args", "steps:\n  - args: [echo, $_X]\n"),
                row("env", "steps:\n  - args: [env]\n    env: ['A=$_X']\n"),
                row("dir", "steps:\n  - args: [ls]\n    dir: 'sub/$_X'\n"),
                row("entrypoint", "steps:\n  - entrypoint: '$_X'\n    args: [a]\n"),
                row("name", "steps:\n  - name: 'img:$_X'\n    args: [a]\n"),
                row("id", "steps:\n  - id: 'build-$_X'\n    args: [a]\n"),
                row("waitFor", "steps:\n  - id: build-x\n    args: [a]\n  - args: [b]\n    waitFor: ['build-$_X']\n"),
                row("script", "steps:\n  - script: echo \"$_X\"\n"),
                row("images", "steps:\n  - args: [a]\nimages: ['gcr.io/p/app:$_X']\n"),
                row("artifacts.objects", "steps:\n  - args: [a]\nartifacts:\n  objects:\n    location: 'gs://b/$_X/'\n"
                        + "    paths: ['out/*']\n"),
                row("artifacts.objects.paths", "steps:\n  - args: [a]\nartifacts:\n  objects:\n    location: 'gs://b/'\n"
                        + "    paths: ['out/$_X.tgz']\n"),
                row("artifacts.pythonPackages", "steps:\n  - args: [a]\nartifacts:\n  pythonPackages:\n"
                        + "    - repository: 'https://$_X-python.pkg.dev/p/r'\n      paths: ['dist/*']\n"),
                row("artifacts.mavenArtifacts", "steps:\n  - args: [a]\nartifacts:\n  mavenArtifacts:\n"
                        + "    - repository: 'https://$_X-maven.pkg.dev/p/r'\n      path: app.jar\n      artifactId: app\n"
                        + "      groupId: dev.kiln\n      version: '1'\n"),
                row("availableSecrets", "steps:\n  - args: [a]\n    secretEnv: [S]\navailableSecrets:\n  secretManager:\n"
                        + "    - versionName: 'projects/$_X/secrets/s/versions/1'\n      env: S\n"),
                row("options.env", "options:\n  env: ['A=$_X']\nsteps:\n  - args: [a]\n"),
                row("logsBucket", "logsBucket: 'gs://$_X-logs'\nsteps:\n  - args: [a]\n"),
                row("tags", "tags: ['$_X']\nsteps:\n  - args: [a]\n"),
                row("another substitution's value", "substitutions:\n  _Y: 'a-$_X'\nsteps:\n  - args: [echo, $_Y]\n"));
    }

    static Arguments row(String place, String yaml) {
        return Arguments.of(place, "substitutions:\n  _X: x\n" + yaml.replaceFirst("^substitutions:\n", ""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("places")
    void a_substitution_named_only_here_is_used(String place, String yaml) {
        assertThat(plan(yaml, SUBMIT).steps()).isNotEmpty();
    }

    @Test
    void a_substitution_named_nowhere_is_still_refused_at_its_key() {
        assertThat(refused("substitutions:\n  _X: x\nsteps:\n  - args: [echo, '$$_X']\n", SUBMIT)).containsExactly(
                "build.yaml:2:3: substitution '_X' is defined but not used; use it, remove it, "
                        + "or set options.substitutionOption: ALLOW_LOOSE");
    }

    @Test
    void a_substitution_naming_only_itself_is_not_used() {
        assertThat(refused("substitutions:\n  _X: 'a$_X'\nsteps:\n  - args: [echo]\n", SUBMIT)).singleElement()
                .asString().startsWith("build.yaml:2:3: substitution '_X' is defined but not used");
    }
}
