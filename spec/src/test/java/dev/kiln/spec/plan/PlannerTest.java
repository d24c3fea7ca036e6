package dev.kiln.spec.plan;

import static dev.kiln.spec.Fixtures.CLOUD_BUILD_CONFIG;
import static dev.kiln.spec.Fixtures.lines;
import static dev.kiln.spec.Fixtures.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.kiln.spec.config.BuildSpec;
import dev.kiln.spec.config.ConfigException;
import dev.kiln.spec.config.SourceMark;
import dev.kiln.spec.config.Step;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class PlannerTest {
    static final BuildContext SUBMIT = BuildContext.submit("build-1", "my-project", Map.of());
    static final BuildContext TRIGGER = new BuildContext("build-2", "my-project", "kiln", "main", "",
            "0123456789abcdef0123456789abcdef01234567", "on-push", Map.of());

    static BuildPlan plan(String yaml, BuildContext context) {
        try {
            return Planner.plan(parse(yaml), context);
        } catch (ConfigException e) {
            throw new AssertionError("plan was refused:\n" + e.getMessage(), e);
        }
    }

    static List<String> refused(String yaml, BuildContext context) {
        BuildSpec spec = parse(yaml);
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> Planner.plan(spec, context));
        assertThat(e).as("plan should be refused").isNotNull();
        return lines(e.problems());
    }

    static Step step(int index, String id, List<String> waitFor) {
        return new Step(index, id, null, null, List.of("true"), null, List.of(), null, waitFor, null, false,
                List.of(), List.of(), new SourceMark("build.yaml", index + 2, 3));
    }

    static BuildSpec spec(List<Step> steps) {
        return new BuildSpec("build.yaml", steps, null, null, Map.of(), false, List.of(), List.of(), List.of(),
                List.of(), List.of(), Map.of());
    }

    @Nested
    class WaitFor {
        @Test
        void a_step_without_waitFor_waits_for_all_previous_steps() {
            BuildPlan plan = plan("steps:\n  - args: [a]\n  - args: [b]\n  - args: [c]\n", SUBMIT);

            assertThat(plan.steps()).extracting(StepPlan::waitFor)
                    .containsExactly(List.of(), List.of(0), List.of(0, 1));
        }

        @Test
        void dash_starts_a_step_at_once_and_ids_resolve_to_indexes() {
            BuildPlan plan = plan("""
                    steps:
                      - id: fetch
                        args: [git, fetch]
                      - id: lint
                        args: [make, lint]
                        waitFor: ['-']
                      - id: build
                        args: [make]
                        waitFor: [fetch]
                      - id: test
                        args: [make, test]
                        waitFor: [build, lint]
                      - id: report
                        args: [make, report]
                    """, SUBMIT);

            assertThat(plan.steps()).extracting(StepPlan::id).containsExactly("fetch", "lint", "build", "test", "report");
            assertThat(plan.steps()).extracting(StepPlan::waitFor)
                    .containsExactly(List.of(), List.of(), List.of(0), List.of(2, 1), List.of(0, 1, 2, 3));
        }

        @Test
        void a_step_may_wait_for_a_later_one() {
            BuildPlan plan = plan("""
                    steps:
                      - id: a
                        args: [x]
                        waitFor: [b]
                      - id: b
                        args: [y]
                        waitFor: ['-']
                    """, SUBMIT);

            assertThat(plan.steps()).extracting(StepPlan::waitFor).containsExactly(List.of(1), List.of());
        }

        @Test
        void an_empty_waitFor_waits_for_all_previous_steps_even_when_built_by_hand() throws Exception {
            BuildPlan plan = Planner.plan(spec(List.of(step(0, "a", null), step(1, "b", List.of()),
                    step(2, "c", List.of("-")), step(3, "d", List.of("a", "c")))), SUBMIT);

            assertThat(plan.steps()).extracting(StepPlan::waitFor)
                    .containsExactly(List.of(), List.of(0), List.of(), List.of(0, 2));
            assertThat(plan.steps()).extracting(StepPlan::id).containsExactly("a", "b", "c", "d");
        }

        @Test
        void a_spec_built_by_hand_that_cannot_run_is_refused_as_the_parser_would_refuse_it() {
            BuildSpec spec = spec(List.of(step(0, "a", List.of("b")), step(1, "b", null), step(2, "c", List.of("bb"))));

            ConfigException e = catchThrowableOfType(ConfigException.class, () -> Planner.plan(spec, SUBMIT));

            assertThat(lines(e.problems())).containsExactly(
                    "build.yaml:1:1: step 'c' waits for unknown step 'bb'; did you mean 'b'?",
                    "build.yaml:2:3: waitFor forms a cycle: 'a' -> 'b' -> 'a'");
        }

        @Test
        void steps_without_id_are_shown_as_cloud_build_numbers_them() {
            BuildPlan plan = plan("steps:\n  - args: [a]\n  - id: named\n    args: [b]\n", SUBMIT);

            assertThat(plan.steps()).extracting(StepPlan::id).containsExactly("Step #0", "named");
            assertThat(plan.steps()).extracting(StepPlan::index).containsExactly(0, 1);
        }
    }

    @Nested
    class Timeouts {
        @Test
        void a_build_without_timeout_gets_sixty_minutes_and_steps_none() {
            BuildPlan plan = plan("steps:\n  - args: [a]\n", SUBMIT);

            assertThat(Planner.DEFAULT_TIMEOUT).isEqualTo(Duration.ofMinutes(60));
            assertThat(plan.timeoutMillis()).isEqualTo(3_600_000L);
            assertThat(plan.steps().get(0).timeoutMillis()).isZero();
        }

        @Test
        void timeouts_are_given_in_milliseconds() {
            BuildPlan plan = plan("timeout: 1200s\nsteps:\n  - args: [a]\n    timeout: 1.5s\n  - args: [b]\n    timeout: 10m\n", SUBMIT);

            assertThat(plan.timeoutMillis()).isEqualTo(1_200_000L);
            assertThat(plan.steps()).extracting(StepPlan::timeoutMillis).containsExactly(1_500L, 600_000L);
        }
    }

    @Test
    void a_plan_carries_everything_a_step_needs() {
        BuildPlan plan = plan("""
                options:
                  env: [CI=true]
                steps:
                  - id: test
                    entrypoint: bash
                    args: ['-c', 'make test']
                    dir: src
                    env: [A=1]
                    allowFailure: true
                    allowExitCodes: [0, 2]
                    secretEnv: [TOKEN]
                  - name: alpine
                    args: [echo]
                availableSecrets:
                  secretManager:
                    - {versionName: deploy-token, env: TOKEN}
                """, SUBMIT);

        assertThat(plan.secrets()).as("the names only: values travel in the lease").containsExactly(
                java.util.Map.entry("TOKEN", "deploy-token"));

        // A secret named by a substitution, as Cloud Build configs do: known once the values are.
        BuildPlan named = plan("""
                steps:
                  - args: [x]
                    secretEnv: [SSH_KEY]
                availableSecrets:
                  secretManager:
                    - {versionName: 'projects/$PROJECT_ID/secrets/$_SECRET_NAME/versions/latest', env: SSH_KEY}
                """, BuildContext.submit("build-1", "my-project", Map.of("_SECRET_NAME", "deploy-key")));
        assertThat(named.secrets()).containsExactly(java.util.Map.entry("SSH_KEY", "deploy-key"));
        assertThatThrownBy(() -> plan("""
                steps:
                  - args: [x]
                    secretEnv: [SSH_KEY]
                availableSecrets:
                  secretManager:
                    - {versionName: $_SECRET_NAME, env: SSH_KEY}
                """, BuildContext.submit("build-1", "my-project", Map.of("_SECRET_NAME", "no/such name"))))
                .hasMessageContaining("versionName '$_SECRET_NAME' becomes 'no/such name', which names no Kiln secret");

        assertThat(plan.version()).isEqualTo(BuildPlan.VERSION);
        assertThat(plan.buildId()).isEqualTo("build-1");
        StepPlan test = plan.steps().get(0);
        assertThat(test.isLocal()).isTrue();
        assertThat(test.image()).isNull();
        assertThat(test.entrypoint()).isEqualTo("bash");
        assertThat(test.args()).containsExactly("-c", "make test");
        assertThat(test.script()).isNull();
        assertThat(test.dir()).isEqualTo("src");
        assertThat(test.env()).containsExactly("CI=true", "A=1");
        assertThat(test.allowFailure()).isTrue();
        assertThat(test.allowExitCodes()).containsExactly(0, 2);
        assertThat(test.secretEnv()).containsExactly("TOKEN");
        StepPlan image = plan.steps().get(1);
        assertThat(image.isLocal()).isFalse();
        assertThat(image.image()).isEqualTo("alpine");
        assertThat(image.env()).containsExactly("CI=true");
    }

    @Nested
    class Substitution {
        @Test
        void user_substitutions_work_with_and_without_braces_and_double_dollar_is_a_dollar() {
            BuildPlan plan = plan("""
                    substitutions:
                      _NAME: world
                    steps:
                      - args: [echo, 'hello $_NAME', '${_NAME}wide', 'price: $$5', '$$_NAME']
                    """, SUBMIT);

            assertThat(plan.steps().get(0).args()).containsExactly("echo", "hello world", "worldwide", "price: $5", "$_NAME");
        }

        @Test
        void built_ins_are_filled_for_a_submit_and_git_ones_are_empty() {
            BuildPlan plan = plan("""
                    steps:
                      - args: ['$BUILD_ID', '$PROJECT_ID', '[$BRANCH_NAME]', '[$COMMIT_SHA]', '[$SHORT_SHA]', '[${TAG_NAME}]', '$LOCATION']
                    """, SUBMIT);

            assertThat(plan.steps().get(0).args()).containsExactly("build-1", "my-project", "[]", "[]", "[]", "[]", "local");
        }

        @Test
        void built_ins_carry_the_git_facts_of_a_trigger() {
            BuildPlan plan = plan("""
                    steps:
                      - args: ['$BRANCH_NAME', '$COMMIT_SHA', '$SHORT_SHA', '$REPO_NAME', '$REF_NAME', '$TRIGGER_NAME', '$REVISION_ID']
                    """, TRIGGER);

            assertThat(plan.steps().get(0).args()).containsExactly("main", "0123456789abcdef0123456789abcdef01234567",
                    "0123456", "kiln", "main", "on-push", "0123456789abcdef0123456789abcdef01234567");
        }

        @Test
        void a_tag_build_uses_the_tag_as_ref_name() {
            BuildContext tag = new BuildContext("b", "p", "r", "", "v1.2", "abc", "t", Map.of());

            assertThat(plan("steps:\n  - args: ['$REF_NAME', '$SHORT_SHA']\n", tag).steps().get(0).args())
                    .containsExactly("v1.2", "abc");
        }

        @Test
        void values_given_with_the_build_override_the_files_defaults() {
            BuildPlan plan = plan("""
                    substitutions:
                      _ENV: staging
                      _REGION: eu
                    steps:
                      - args: [deploy, $_ENV, $_REGION]
                    """, BuildContext.submit("b", "p", Map.of("_ENV", "prod")));

            assertThat(plan.steps().get(0).args()).containsExactly("deploy", "prod", "eu");
        }

        @Test
        void a_value_given_only_with_the_build_is_used() {
            BuildPlan plan = plan("steps:\n  - args: [echo, $_ONLY]\n", BuildContext.submit("b", "p", Map.of("_ONLY", "x")));

            assertThat(plan.steps().get(0).args()).containsExactly("echo", "x");
        }

        @Test
        void every_expanded_field_is_substituted() {
            BuildPlan plan = plan("""
                    substitutions:
                      _IMG: alpine
                      _TAG: '3.20'
                      _DIR: app
                    options:
                      env: ['PROJECT=$PROJECT_ID']
                    steps:
                      - name: 'docker.io/$_IMG:$_TAG'
                        entrypoint: '/bin/$_IMG-sh'
                        dir: '$_DIR/sub'
                        env: ['BUILD=$BUILD_ID']
                        args: [x]
                    images: ['gcr.io/$PROJECT_ID/$_IMG:$_TAG']
                    """, SUBMIT);

            StepPlan s = plan.steps().get(0);
            assertThat(s.image()).isEqualTo("docker.io/alpine:3.20");
            assertThat(s.entrypoint()).isEqualTo("/bin/alpine-sh");
            assertThat(s.dir()).isEqualTo("app/sub");
            assertThat(s.env()).containsExactly("PROJECT=my-project", "BUILD=build-1");
            assertThat(plan.images()).containsExactly("gcr.io/my-project/alpine:3.20");
        }

        @Test
        void an_unknown_substitution_is_refused_naming_the_line_and_column_of_the_arg() {
            assertThat(refused("""
                    substitutions:
                      _GREETING: hello
                    steps:
                      - id: greet
                        args:
                          - echo
                          - $_GREETING
                          - 'to ${_NAME}!'
                    """, SUBMIT)).containsExactly("build.yaml:8:9: unknown substitution '$_NAME'; define it under "
                    + "'substitutions', pass it with --substitutions, or write $$ for a literal $");
        }

        @Test
        void unknown_substitutions_in_every_field_are_all_reported_in_file_order() {
            assertThat(refused("""
                    options:
                      env: ['A=$_ONE']
                    steps:
                      - name: 'img:$_TWO'
                        args: [x, '$_THREE']
                        env: ['B=$_FOUR']
                        dir: '$_FIVE'
                      - args: [y]
                      - args: [z]
                    images: ['$_SIX']
                    """, SUBMIT)).extracting(l -> l.substring(0, l.indexOf(';'))).containsExactly(
                    "build.yaml:2:9: unknown substitution '$_ONE'",
                    "build.yaml:4:11: unknown substitution '$_TWO'",
                    "build.yaml:5:15: unknown substitution '$_THREE'",
                    "build.yaml:6:11: unknown substitution '$_FOUR'",
                    "build.yaml:7:10: unknown substitution '$_FIVE'",
                    "build.yaml:10:10: unknown substitution '$_SIX'");
        }

        @Test
        void a_built_in_like_name_that_is_not_one_is_unknown() {
            assertThat(refused("steps:\n  - args: [echo, $HOME]\n", SUBMIT)).singleElement().asString()
                    .startsWith("build.yaml:2:18: unknown substitution '$HOME'");
        }

        @Test
        void an_unused_substitution_is_refused_at_its_key_and_one_given_with_the_build_at_the_top() {
            assertThat(refused("""
                    substitutions:
                      _USED: a
                      _UNUSED: b
                    steps:
                      - args: [echo, $_USED, '$$_UNUSED']
                    """, BuildContext.submit("b", "p", Map.of("_EXTRA", "c", "_USED", "d")))).containsExactly(
                    "build.yaml:1:1: substitution '_EXTRA' is defined but not used; use it, remove it, "
                            + "or set options.substitutionOption: ALLOW_LOOSE",
                    "build.yaml:3:3: substitution '_UNUSED' is defined but not used; use it, remove it, "
                            + "or set options.substitutionOption: ALLOW_LOOSE");
        }

        @Test
        void allow_loose_makes_unknown_substitutions_empty_and_unused_ones_fine() {
            BuildPlan plan = plan("""
                    options:
                      substitutionOption: ALLOW_LOOSE
                    substitutions:
                      _UNUSED: b
                    steps:
                      - args: [echo, '[$_NOPE]', '[${_NOPE}]']
                    """, BuildContext.submit("b", "p", Map.of("_EXTRA", "c")));

            assertThat(plan.steps().get(0).args()).containsExactly("echo", "[]", "[]");
        }

        @Test
        void a_script_is_not_expanded_and_gets_the_substitutions_as_env() {
            BuildPlan plan = plan("""
                    substitutions:
                      _MODEL: resnet
                    steps:
                      - script: |
                          echo "$_MODEL on $BRANCH_NAME costs $$5 ${UNSET_IN_SCRIPT}"
                        env: [A=1]
                    """, SUBMIT);

            StepPlan s = plan.steps().get(0);
            assertThat(s.script()).isEqualTo("echo \"$_MODEL on $BRANCH_NAME costs $$5 ${UNSET_IN_SCRIPT}\"\n");
            assertThat(s.args()).isEmpty();
            assertThat(s.env()).endsWith("A=1")
                    .contains("_MODEL=resnet", "PROJECT_ID=my-project", "BUILD_ID=build-1", "BRANCH_NAME=", "SHORT_SHA=");
        }

        @Test
        void a_substitution_used_only_in_a_script_counts_as_used() {
            BuildPlan plan = plan("""
                    substitutions:
                      _A: a
                      _B: b
                    steps:
                      - script: echo $_A ${_B} $_C
                    """, BuildContext.submit("b", "p", Map.of("_C", "c")));

            assertThat(plan.steps().get(0).env()).contains("_A=a", "_B=b", "_C=c");
        }

        @Test
        void a_step_without_script_gets_no_substitution_env() {
            BuildPlan plan = plan("substitutions:\n  _A: a\nsteps:\n  - args: [echo, $_A]\n", SUBMIT);

            assertThat(plan.steps().get(0).env()).isEmpty();
        }

        @Test
        void a_problem_in_options_env_is_told_once_not_once_per_step() {
            assertThat(refused("options:\n  env: ['A=$_NOPE']\nsteps:\n  - args: [a]\n  - args: [b]\n  - args: [c]\n", SUBMIT))
                    .hasSize(1);
        }

        @Test
        void a_key_given_with_the_build_must_look_like_a_user_substitution() {
            assertThat(refused("steps:\n  - args: [echo]\n", BuildContext.submit("b", "p", Map.of("lower", "x", "PROJECT_ID", "y"))))
                    .containsExactlyInAnyOrder(
                            "build.yaml:1:1: substitution 'PROJECT_ID' given with the build must start with '_' and use only A-Z, 0-9 and '_'",
                            "build.yaml:1:1: substitution 'lower' given with the build must start with '_' and use only A-Z, 0-9 and '_'");
        }
    }

    @Test
    void the_realistic_cloud_build_config_plans_with_trigger_values() throws Exception {
        BuildPlan plan = Planner.plan(parse(CLOUD_BUILD_CONFIG), TRIGGER);

        assertThat(plan.timeoutMillis()).isEqualTo(1_200_000L);
        assertThat(plan.images()).containsExactly("gcr.io/my-project/app:0123456");
        assertThat(plan.steps().get(0).image()).isEqualTo("gcr.io/cloud-builders/docker");
        assertThat(plan.steps().get(0).args()).containsExactly("build", "-t", "gcr.io/my-project/app:0123456", ".");
        assertThat(plan.steps().get(1).waitFor()).containsExactly(0);
        assertThat(plan.steps().get(2).waitFor()).containsExactly(0, 1);
        assertThat(plan.steps().get(2).args()).endsWith("--region", "europe-west1");
    }

    @Nested
    class HostileSubstitutions {
        @Test
        void a_long_value_named_many_times_is_refused_quickly() {
            // 100 KB named 50,000 times would be 5 GB of arguments.
            String yaml = "substitutions:\n  _BIG: " + "x".repeat(100_000) + "\nsteps:\n  - args:\n" + "    - $_BIG\n".repeat(50_000);

            List<String> problems = assertTimeoutPreemptively(Duration.ofSeconds(3), () -> refused(yaml, SUBMIT));

            assertThat(problems).containsExactly("build.yaml:1:1: after substitutions the build would hold more than "
                    + Planner.MAX_PLAN_CHARS + " characters; substitutions repeat long values too often");
        }

        @Test
        void a_long_value_named_many_times_in_one_arg_is_refused_quickly() {
            String yaml = "substitutions:\n  _BIG: " + "x".repeat(100_000) + "\nsteps:\n  - args: ['" + "$_BIG".repeat(100_000) + "']\n";

            List<String> problems = assertTimeoutPreemptively(Duration.ofSeconds(3), () -> refused(yaml, SUBMIT));

            assertThat(problems).singleElement().asString().contains("after substitutions the build would hold more than");
        }

        @Test
        void a_long_value_given_with_the_build_and_exported_to_many_scripts_is_refused_quickly() {
            BuildContext context = BuildContext.submit("b", "p", Map.of("_BIG", "x".repeat(1_000_000)));
            String yaml = "steps:\n" + "  - script: echo $_BIG\n".repeat(100);

            List<String> problems = assertTimeoutPreemptively(Duration.ofSeconds(3), () -> refused(yaml, context));

            assertThat(problems).singleElement().asString().contains("after substitutions the build would hold more than");
        }

        @Test
        void a_flood_of_unknown_substitutions_is_cut_short() {
            String yaml = "steps:\n  - args:\n" + "    - $_NOPE\n".repeat(500);

            List<String> problems = refused(yaml, SUBMIT);

            assertThat(problems).hasSize(101).last().isEqualTo("build.yaml:1:1: ... and 400 more problems not listed");
        }
    }
}
