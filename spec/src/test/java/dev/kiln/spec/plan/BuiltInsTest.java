package dev.kiln.spec.plan;

import static dev.kiln.spec.Fixtures.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.spec.config.ConfigException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Class 9 of issue 9: every Cloud Build built-in is known, and empty when the build has no value for it. */
class BuiltInsTest {
    static final BuildContext SUBMIT = BuildContext.submit("build-1", "my-project", Map.of());
    static final BuildContext PULL_REQUEST = new BuildContext("build-2", "my-project", Map.ofEntries(
            Map.entry("REPO_NAME", "kiln"), Map.entry("REPO_FULL_NAME", "acme/kiln"), Map.entry("BRANCH_NAME", "feature"),
            Map.entry("COMMIT_SHA", "0123456789abcdef"), Map.entry("TRIGGER_NAME", "on-pr"),
            Map.entry("PROJECT_NUMBER", "42"), Map.entry("TRIGGER_BUILD_CONFIG_PATH", "ci/cloudbuild.yaml"),
            Map.entry("_HEAD_BRANCH", "feature"), Map.entry("_BASE_BRANCH", "main"),
            Map.entry("_HEAD_REPO_URL", "https://github.com/fork/kiln"), Map.entry("_PR_NUMBER", "7")), true, Map.of());

    static List<Arguments> table() {
        return List.of(
                Arguments.of("PROJECT_ID", "my-project", "my-project"),
                Arguments.of("PROJECT_NUMBER", "", "42"),
                Arguments.of("BUILD_ID", "build-1", "build-2"),
                Arguments.of("LOCATION", "local", "local"),
                Arguments.of("TRIGGER_NAME", "", "on-pr"),
                Arguments.of("COMMIT_SHA", "", "0123456789abcdef"),
                Arguments.of("REVISION_ID", "", "0123456789abcdef"),
                Arguments.of("SHORT_SHA", "", "0123456"),
                Arguments.of("REPO_NAME", "", "kiln"),
                Arguments.of("REPO_FULL_NAME", "", "acme/kiln"),
                Arguments.of("BRANCH_NAME", "", "feature"),
                Arguments.of("TAG_NAME", "", ""),
                Arguments.of("REF_NAME", "", "feature"),
                Arguments.of("TRIGGER_BUILD_CONFIG_PATH", "", "ci/cloudbuild.yaml"),
                Arguments.of("SERVICE_ACCOUNT_EMAIL", "", ""),
                Arguments.of("SERVICE_ACCOUNT", "", ""),
                Arguments.of("_HEAD_BRANCH", "", "feature"),
                Arguments.of("_BASE_BRANCH", "", "main"),
                Arguments.of("_HEAD_REPO_URL", "", "https://github.com/fork/kiln"),
                Arguments.of("_PR_NUMBER", "", "7"));
    }

    @ParameterizedTest(name = "${0}")
    @MethodSource("table")
    void a_built_in_is_known_and_has_the_builds_value_or_is_empty(String name, String submitted, String pullRequest)
            throws ConfigException {
        String yaml = "steps:\n  - args: [echo, '[$" + name + "]', '[${" + name + "}]']\n";

        assertThat(Planner.plan(parse(yaml), SUBMIT).steps().get(0).args())
                .containsExactly("echo", "[" + submitted + "]", "[" + submitted + "]");
        assertThat(Planner.plan(parse(yaml), PULL_REQUEST).steps().get(0).args())
                .containsExactly("echo", "[" + pullRequest + "]", "[" + pullRequest + "]");
    }

    @Test
    void the_table_covers_every_built_in_in_the_one_list() {
        assertThat(table()).extracting(a -> (String) a.get()[0]).containsExactlyElementsOf(BuiltIns.NAMES);
        assertThat(SUBMIT.builtIns().keySet()).containsExactlyElementsOf(BuiltIns.NAMES);
    }

    @Test
    void a_pull_request_built_in_given_with_the_build_is_never_an_unused_substitution() throws ConfigException {
        BuildContext context = BuildContext.submit("b", "p", Map.of("_PR_NUMBER", "9"));

        assertThat(Planner.plan(parse("steps:\n  - args: [echo]\n"), context).steps()).hasSize(1);
    }

    @Test
    void a_fact_that_is_not_a_built_in_is_refused() {
        assertThatThrownBy(() -> new BuildContext("b", "p", Map.of("HOME", "/root"), true, Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("HOME");
    }

    @Test
    void the_git_constructor_marks_a_build_with_a_trigger_name_as_triggered() {
        assertThat(new BuildContext("b", "p", "r", "main", "", "abc", "on-push", Map.of()).triggered()).isTrue();
        assertThat(new BuildContext("b", "p", "r", "main", "", "abc", "", Map.of()).triggered()).isFalse();
        assertThat(SUBMIT.triggered()).isFalse();
    }
}
