package dev.kiln.spec.config;

import static dev.kiln.spec.Fixtures.lines;
import static dev.kiln.spec.Fixtures.parse;
import static dev.kiln.spec.Fixtures.problems;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Cloud Build mounts the source at /workspace: an absolute path under it is the relative path inside the workspace. */
class WorkspacePathsTest {

    @ParameterizedTest
    @CsvSource({
            "/workspace, .",
            "/workspace/, .",
            "/workspace/app, app",
            "/workspace/app/src/, app/src/",
            "app, app",
            "., .",
    })
    void a_step_dir_under_workspace_is_the_relative_path(String dir, String expected) {
        Step step = parse("steps:\n  - args: [x]\n    dir: '" + dir + "'\n").steps().get(0);

        assertThat(step.dir()).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/etc", "/workspacex", "/workspace/../etc", "/workspace/a/../../b", "//workspace/a", "/tmp/workspace"})
    void any_other_absolute_path_is_refused_as_before(String dir) {
        assertThat(lines(problems("steps:\n  - args: [x]\n    dir: '" + dir + "'\n"))).containsExactly(
                "build.yaml:3:10: step #0: dir must be a relative path inside the workspace, not '" + dir + "'");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "objects: {location: 'gs://b/', paths: ['/workspace/out/*.jar', 'dist/*']}",
            "pythonPackages: [{repository: r, paths: ['/workspace/dist/*']}]",
            "mavenArtifacts: [{repository: r, path: /workspace/app/target/app.jar, artifactId: a, groupId: g, version: '1'}]",
            "mavenArtifacts: [{repository: r, deployFolder: /workspace/app/target/}]",
            "npmPackages: [{repository: r, packagePath: /workspace}]",
            "goModules: [{repositoryName: r, sourcePath: /workspace/mod, modulePath: m, moduleVersion: v1.0.0}]",
    })
    void artifact_paths_under_workspace_are_accepted(String artifacts) {
        assertThat(parse("artifacts:\n  " + artifacts + "\nsteps:\n  - args: [x]\n").steps()).hasSize(1);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "objects: {location: 'gs://b/', paths: [ok, /etc/passwd]}|2:46|artifacts.objects.paths[1]|/etc/passwd",
            "pythonPackages: [{repository: r, paths: [../up]}]|2:44|artifacts.pythonPackages[0].paths[0]|../up",
            "maven_artifacts: [{repository: r, path: /root/app.jar}]|2:43|artifacts.maven_artifacts[0].path|/root/app.jar",
            "npmPackages: [{repository: r, packagePath: /opt}]|2:46|artifacts.npmPackages[0].packagePath|/opt",
            "goModules: [{sourcePath: /workspace/../x}]|2:28|artifacts.goModules[0].sourcePath|/workspace/../x",
    })
    void artifact_paths_outside_the_workspace_are_refused(String artifacts, String at, String path, String value) {
        assertThat(lines(problems("artifacts:\n  " + artifacts + "\nsteps:\n  - args: [x]\n"))).containsExactly(
                "build.yaml:" + at + ": " + path + " must be a relative path inside the workspace, not '" + value + "'");
    }
}
