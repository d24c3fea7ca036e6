package dev.kiln.server.git;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.agent.client.ApiClient;
import dev.kiln.server.support.GitCli;
import dev.kiln.server.support.TestServer;
import dev.kiln.spec.api.BuildView;
import dev.kiln.spec.api.RepoRequest;
import dev.kiln.spec.api.TriggerView;
import dev.kiln.spec.protocol.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code git push} to a repo Kiln hosts, with the real git CLI: what each push builds, and what it does not. */
class GitPushTest {
    static final String BUILD = """
            options:
              substitutionOption: ALLOW_LOOSE
            steps:
              - id: show
                args: [sh, -c, 'echo "env=$_ENV sha=$COMMIT_SHA short=$SHORT_SHA branch=$BRANCH_NAME repo=$REPO_NAME trigger=$TRIGGER_NAME config=$TRIGGER_BUILD_CONFIG_PATH"; cat data.txt; ./run.sh; cat link']
            """;

    @TempDir Path tmp;
    TestServer kiln;
    GitCli git;
    Path work;
    String remote;

    @BeforeEach
    void start() throws Exception {
        git = GitCli.in(tmp);
        kiln = TestServer.start(tmp.resolve("data"));
        kiln.api.createRepo(new RepoRequest("churn", null, null, null, null));
        remote = kiln.server.url() + "/git/churn.git";
        work = git.init(tmp.resolve("work"), "dev");
        git.signIn(kiln).run(work, "remote", "add", "kiln", remote);
    }

    @AfterEach
    void stop() {
        if (kiln != null) {
            kiln.close();
        }
    }

    static TriggerView branchTrigger(String name, String regex) {
        return new TriggerView(name, "churn", regex, null, false, null, List.of(), List.of(), Map.of(), true, null);
    }

    private String commitProject(String data) throws Exception {
        String sha = git.commit(work, "train on " + data, Map.of("build.yaml", BUILD, "data.txt", data + "\n",
                "run.sh", "#!/bin/sh\necho ran-script\n"));
        Files.setPosixFilePermissions(work.resolve("run.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
        if (!Files.exists(work.resolve("link"), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            Files.createSymbolicLink(work.resolve("link"), Path.of("data.txt"));
        }
        git.run(work, "add", "-A");
        git.run(work, "commit", "-q", "--amend", "--no-edit");
        return git.head(work);
    }

    private List<BuildView> builds() throws Exception {
        return kiln.api.list(50);
    }

    @Test
    void a_push_to_dev_builds_exactly_the_pushed_commit_to_success() throws Exception {
        kiln.api.createTrigger(branchTrigger("dev-push", "^dev$"));
        String sha = commitProject("rows=100");

        String out = git.run(work, "push", "-q", "kiln", "dev");

        List<BuildView> builds = builds();
        assertThat(builds).hasSize(1);
        assertThat(out).contains("kiln: dev-push: build " + builds.get(0).id());
        BuildView b = kiln.awaitEnd(builds.get(0).id(), Duration.ofSeconds(60));
        String log = kiln.logText(b.id(), 0);
        assertThat(b.status()).as(log).isEqualTo(Status.SUCCESS);
        assertThat(log).contains("sha=" + sha + " short=" + sha.substring(0, 7) + " branch=dev repo=churn trigger=dev-push"
                + " config=build.yaml").contains("rows=100\nran-script\nrows=100");
        assertThat(b).extracting(BuildView::repo, BuildView::ref, BuildView::commitSha, BuildView::trigger, BuildView::cause)
                .containsExactly("churn", "refs/heads/dev", sha, "dev-push", "push");
        assertThat(b.commitAuthor()).isEqualTo("Ada Lovelace <ada@example.com>");
        assertThat(b.commitMessage()).isEqualTo("train on rows=100");
        assertThat(kiln.api.repo("churn").heads()).containsEntry("refs/heads/dev", sha);
    }

    @Test
    void a_push_to_a_branch_no_trigger_matches_builds_nothing_and_the_clone_has_what_was_pushed() throws Exception {
        kiln.api.createTrigger(branchTrigger("dev-push", "^dev$"));
        String sha = commitProject("x");
        git.run(work, "push", "-q", "kiln", "dev:develop", "dev:main");
        assertThat(builds()).isEmpty();

        Path clone = tmp.resolve("clone");
        git.run(tmp, "clone", "-q", "-b", "develop", remote, clone.toString());
        assertThat(git.head(clone)).isEqualTo(sha);
        assertThat(Files.isExecutable(clone.resolve("run.sh"))).isTrue();
    }

    @Test
    void two_triggers_build_one_push_twice_a_disabled_one_never_and_a_branch_deletion_builds_nothing() throws Exception {
        kiln.api.createTrigger(branchTrigger("dev-a", "^dev$"));
        kiln.api.createTrigger(branchTrigger("dev-b", "de"));
        kiln.api.createTrigger(branchTrigger("dev-off", "dev"));
        kiln.api.createTrigger(new TriggerView("not-main", "churn", "^main$", null, true, null, List.of(), List.of(),
                Map.of(), true, null));
        kiln.api.enableTrigger("dev-off", false);
        String sha = commitProject("x");

        git.run(work, "push", "-q", "kiln", "dev");

        assertThat(builds()).extracting(BuildView::trigger).containsExactlyInAnyOrder("dev-a", "dev-b", "not-main");
        assertThat(builds()).extracting(BuildView::commitSha).containsOnly(sha);
        for (BuildView b : builds()) {
            assertThat(kiln.awaitEnd(b.id(), Duration.ofSeconds(60)).status()).isEqualTo(Status.SUCCESS);
        }

        git.run(work, "push", "-q", "kiln", ":dev");
        assertThat(kiln.api.repo("churn").heads()).doesNotContainKey("refs/heads/dev");
        assertThat(builds()).hasSize(3);
    }

    @Test
    void a_force_push_that_rewinds_the_branch_builds_the_new_head() throws Exception {
        kiln.api.createTrigger(branchTrigger("dev-push", "^dev$"));
        String first = commitProject("one");
        git.run(work, "push", "-q", "kiln", "dev");
        git.commit(work, "two", Map.of("data.txt", "two\n"));
        git.run(work, "push", "-q", "kiln", "dev");
        git.run(work, "reset", "-q", "--hard", first);
        git.commit(work, "three", Map.of("data.txt", "three\n"));
        String third = git.head(work);

        git.run(work, "push", "-q", "--force", "kiln", "dev");

        BuildView newest = builds().get(0);
        assertThat(builds()).hasSize(3);
        assertThat(newest.commitSha()).isEqualTo(third);
        BuildView ended = kiln.awaitEnd(newest.id(), Duration.ofSeconds(60));
        assertThat(ended.status()).isEqualTo(Status.SUCCESS);
        assertThat(kiln.logText(newest.id(), 0)).contains("sha=" + third).contains("three");
    }

    @Test
    void included_and_ignored_files_decide_from_the_files_the_push_changed() throws Exception {
        kiln.api.createTrigger(new TriggerView("src-only", "churn", "^dev$", null, false, null, List.of("src/**"),
                List.of("src/**/*.md"), Map.of(), true, null));
        commitProject("x");
        git.commit(work, "code", Map.of("src/train.py", "print(1)\n"));
        git.run(work, "push", "-q", "kiln", "dev");   // a new branch: every file counts
        assertThat(builds()).hasSize(1);

        git.commit(work, "docs", Map.of("docs/guide.md", "hi\n", "src/README.md", "about\n"));
        String out = git.run(work, "push", "kiln", "dev");
        assertThat(out).contains("src-only: no build");
        assertThat(builds()).hasSize(1);

        String code = git.commit(work, "more code", Map.of("src/model/fit.py", "print(2)\n"));
        git.run(work, "push", "-q", "kiln", "dev");
        assertThat(builds()).hasSize(2);
        assertThat(builds().get(0).commitSha()).isEqualTo(code);
    }

    @Test
    void a_build_config_the_repo_lacks_starts_nothing_and_the_push_says_why() throws Exception {
        kiln.api.createTrigger(new TriggerView("dev-push", "churn", "^dev$", null, false, "ci/missing.yaml", List.of(),
                List.of(), Map.of(), true, null));
        commitProject("x");
        String out = git.run(work, "push", "kiln", "dev");
        assertThat(out).contains("no build, dev-push: no config 'ci/missing.yaml' in the source");
        assertThat(builds()).isEmpty();
    }

    @Test
    void triggers_run_builds_a_commit_by_sha_and_a_branch_head_through_the_trigger() throws Exception {
        kiln.api.createTrigger(new TriggerView("dev-push", "churn", "^dev$", null, false, null, List.of(), List.of(),
                Map.of("_ENV", "dev"), true, null));
        String first = commitProject("one");
        git.commit(work, "two", Map.of("data.txt", "two\n"));
        git.run(work, "push", "-q", "kiln", "dev");
        assertThat(builds()).hasSize(1);

        ApiClient api = kiln.api;
        BuildView bySha = api.runTrigger("dev-push", new dev.kiln.spec.api.TriggerRun(null, null, first.substring(0, 10),
                Map.of()));
        assertThat(bySha).extracting(BuildView::commitSha, BuildView::cause, BuildView::trigger)
                .containsExactly(first, "manual", "dev-push");
        assertThat(kiln.awaitEnd(bySha.id(), Duration.ofSeconds(60)).status()).isEqualTo(Status.SUCCESS);
        assertThat(kiln.logText(bySha.id(), 0)).contains("env=dev sha=" + first).contains("one");
        BuildView byBranch = api.runTrigger("dev-push", new dev.kiln.spec.api.TriggerRun("dev", null, null, Map.of()));
        assertThat(byBranch.commitSha()).isEqualTo(git.head(work));
        assertThat(byBranch.substitutions()).containsEntry("_ENV", "dev");
    }
}
