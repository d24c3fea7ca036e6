package dev.kiln.server.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.agent.client.ApiClient;
import dev.kiln.server.store.Database;
import dev.kiln.server.store.Provenance;
import dev.kiln.server.support.GitCli;
import dev.kiln.server.support.TestServer;
import dev.kiln.server.triggers.RefUpdateLog;
import dev.kiln.spec.api.BuildView;
import dev.kiln.spec.api.RepoRequest;
import dev.kiln.spec.api.RepoView;
import dev.kiln.spec.api.TriggerView;
import dev.kiln.spec.protocol.Status;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Repos and triggers refused for bad input, mirrors fetched from a local remote, and a push that outlives a restart. */
class GitReposTest {
    @TempDir Path tmp;

    private static TriggerView trigger(String name, String repo, String branch, String tag) {
        return new TriggerView(name, repo, branch, tag, false, null, List.of(), List.of(), Map.of(), true, null);
    }

    @Test
    void bad_repo_names_and_triggers_are_refused_with_the_reason_and_nothing_is_made() throws Exception {
        try (TestServer kiln = TestServer.start(tmp.resolve("data"))) {
            ApiClient api = kiln.api;
            for (String bad : List.of("a/b", "..", "a..b", "../x", "a b", ".hidden", "x.git", "", "-x", "é")) {
                assertThatThrownBy(() -> api.createRepo(new RepoRequest(bad, null, null, null, null))).as(bad)
                        .isInstanceOf(ApiClient.ApiException.class).hasMessageContaining("is not allowed")
                        .satisfies(e -> assertThat(((ApiClient.ApiException) e).error().status()).isEqualTo(400));
            }
            assertThatThrownBy(() -> api.createRepo(new RepoRequest("m", "ssh://git@host/x.git", null, null, null)))
                    .hasMessageContaining("ssh:// is not supported yet");
            assertThat(api.repos()).isEmpty();
            assertThat(tmp.resolve("data/git")).isEmptyDirectory();

            api.createRepo(new RepoRequest("churn", null, null, null, null));
            assertThatThrownBy(() -> api.createRepo(new RepoRequest("churn", null, null, null, null)))
                    .hasMessageContaining("exists already");
            assertThatThrownBy(() -> api.createTrigger(trigger("t", "churn", "dev(", null)))
                    .hasMessageContaining("branch regex 'dev(' does not compile: Unclosed group");
            assertThatThrownBy(() -> api.createTrigger(trigger("t", "churn", "(a)\\1", null)))
                    .hasMessageContaining("RE2");
            assertThatThrownBy(() -> api.createTrigger(trigger("t", "churn", null, null)))
                    .hasMessageContaining("exactly one");
            assertThatThrownBy(() -> api.createTrigger(trigger("t", "churn", "dev", "v.*")))
                    .hasMessageContaining("exactly one");
            assertThatThrownBy(() -> api.createTrigger(trigger("t", "nope", "dev", null)))
                    .hasMessageContaining("no repo nope");
            assertThatThrownBy(() -> api.createTrigger(trigger("t/x", "churn", "dev", null)))
                    .hasMessageContaining("trigger name 't/x' is not allowed");
            assertThatThrownBy(() -> api.createTrigger(new TriggerView("t", "churn", "dev", null, false, "../x.yaml",
                    List.of(), List.of(), Map.of(), true, null))).hasMessageContaining("inside the repo");
            assertThatThrownBy(() -> api.createTrigger(new TriggerView("t", "churn", "dev", null, false, null,
                    List.of("src/[ab"), List.of(), Map.of(), true, null))).hasMessageContaining("glob 'src/[ab' is not valid");
            assertThatThrownBy(() -> api.createTrigger(new TriggerView("t", "churn", "dev", null, false, null,
                    List.of(), List.of(), Map.of("ENV", "x"), true, null))).hasMessageContaining("must start with '_'");
            assertThat(api.triggers()).isEmpty();

            api.createTrigger(trigger("t", "churn", "dev", null));
            assertThatThrownBy(() -> api.deleteRepo("churn")).hasMessageContaining("has triggers: t");
            api.deleteTrigger("t");
            api.deleteRepo("churn");
            assertThat(api.repos()).isEmpty();
            assertThatThrownBy(() -> api.repo("churn")).hasMessageContaining("no repo churn");
        }
    }

    @Test
    void a_mirror_fetches_branches_tags_force_pushes_and_deletions_from_a_local_bare_repo() throws Exception {
        GitCli git = GitCli.in(tmp);
        Path upstream = tmp.resolve("upstream.git");
        git.run(tmp, "init", "-q", "--bare", "-b", "main", upstream.toString());
        Path work = git.init(tmp.resolve("work"), "main");
        String one = git.commit(work, "one", Map.of("a.txt", "1\n"));
        git.run(work, "push", "-q", upstream.toString(), "main", "main:dev");
        git.run(work, "tag", "-a", "-m", "v1", "v1");
        git.run(work, "push", "-q", upstream.toString(), "v1");

        try (TestServer kiln = TestServer.start(tmp.resolve("data"))) {
            RepoView added = kiln.api.createRepo(new RepoRequest("mirror", upstream.toUri().toString(), "30s", null, null));
            assertThat(added.kind()).isEqualTo("MIRRORED");
            assertThat(added.pollInterval()).isEqualTo("30s");
            assertThat(added.gitUrl()).isNull();
            assertThat(added.heads()).containsEntry("refs/heads/main", one).containsEntry("refs/heads/dev", one)
                    .containsEntry("refs/tags/v1", one);
            assertThat(added.lastPollError()).isNull();
            assertThat(added.lastSuccessTime()).isNotNull();

            RepoView dead = kiln.api.createRepo(new RepoRequest("dead", tmp.resolve("nowhere.git").toString(), null, null, null));
            assertThat(dead.lastPollError()).contains("fetch from").contains("nowhere.git");
            assertThat(dead.lastSuccessTime()).isNull();
            assertThat(dead.pollInterval()).isEqualTo("60s");
        }

        // The fetch the poller and webhooks call: what moved, force-pushes and deletions included.
        String two = git.commit(work, "two", Map.of("a.txt", "2\n"));
        git.run(work, "push", "-q", upstream.toString(), "main");
        git.run(work, "reset", "-q", "--hard", one);
        String three = git.commit(work, "three", Map.of("b.txt", "3\n"));
        git.run(work, "push", "-q", "--force", upstream.toString(), "HEAD:dev", ":v1");
        try (Database db = Database.open(Database.h2Url(tmp.resolve("data")), null, null)) {
            Repos repos = new Repos(db, tmp.resolve("data/git"), Clock.systemUTC());
            List<List<RefUpdate>> recorded = new java.util.ArrayList<>();
            RefListener recorder = (repo, updates, cause) -> {
                recorded.add(updates);
                return undone -> List.of();
            };
            List<RefUpdate> moved = repos.fetch("mirror", Provenance.Cause.POLL, recorder).moved();
            assertThat(moved).containsExactlyInAnyOrder(new RefUpdate("refs/heads/main", one, two),
                    new RefUpdate("refs/heads/dev", one, three), new RefUpdate("refs/tags/v1", tagId(git, work), RefUpdate.ZERO));
            assertThat(recorded).containsExactly(moved);
            assertThat(repos.fetch("mirror", Provenance.Cause.POLL, recorder).moved()).isEmpty();
            assertThat(recorded).hasSize(1);
            assertThat(repos.heads("mirror")).containsOnly(Map.entry("refs/heads/main", two), Map.entry("refs/heads/dev", three));
        }
    }

    private static String tagId(GitCli git, Path work) throws Exception {
        return git.run(work, "rev-parse", "v1").strip();
    }

    @Test
    void a_push_accepted_before_a_restart_is_built_after_it() throws Exception {
        GitCli git = GitCli.in(tmp);
        Path data = tmp.resolve("data");
        try (TestServer kiln = TestServer.start(data)) {
            kiln.api.createRepo(new RepoRequest("churn", null, null, null, null));
            kiln.api.createTrigger(trigger("dev-push", "churn", "^dev$", null));
        }
        // The server died inside a receive: the refs had moved and the push was recorded, no build yet made.
        Path work = git.init(tmp.resolve("work"), "dev");
        String sha = git.commit(work, "one", Map.of("build.yaml", "steps:\n  - args: [sh, -c, 'echo built $COMMIT_SHA']\n"));
        git.run(work, "push", "-q", data.resolve("git/churn.git").toString(), "dev");
        try (Database db = Database.open(Database.h2Url(data), null, null)) {
            new RefUpdateLog(db).record("churn", List.of(new RefUpdate("refs/heads/dev", RefUpdate.ZERO, sha)),
                    Provenance.Cause.PUSH, 1L);
        }

        try (TestServer kiln = TestServer.start(data)) {
            List<BuildView> builds = kiln.api.list(10);
            assertThat(builds).extracting(BuildView::commitSha, BuildView::trigger, BuildView::cause)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(sha, "dev-push", "push"));
            BuildView b = kiln.awaitEnd(builds.get(0).id(), Duration.ofSeconds(60));
            assertThat(b.status()).isEqualTo(Status.SUCCESS);
            assertThat(kiln.logText(b.id(), 0)).contains("built " + sha);
        }
        try (TestServer kiln = TestServer.start(data)) {
            assertThat(kiln.api.list(10)).hasSize(1);   // processed once: the next start builds nothing again
        }
    }

    @Test
    void a_push_recorded_but_stopped_before_its_refs_moved_builds_nothing_at_the_next_start() throws Exception {
        GitCli git = GitCli.in(tmp);
        Path data = tmp.resolve("data");
        try (TestServer kiln = TestServer.start(data)) {
            kiln.api.createRepo(new RepoRequest("churn", null, null, null, null));
            kiln.api.createTrigger(trigger("dev-push", "churn", "^dev$", null));
        }
        // The server died inside a receive after the pre-receive record and before the ref moved:
        // git told the pusher the push failed, so there is nothing to build.
        Path work = git.init(tmp.resolve("work"), "dev");
        String sha = git.commit(work, "one", Map.of("build.yaml", "steps:\n  - args: [sh, -c, 'echo built']\n"));
        // Its objects arrived (they come before the ref update); its branch was never made.
        Path bare = data.resolve("git/churn.git");
        git.run(work, "push", "-q", bare.toString(), "dev:refs/heads/received");
        git.run(bare, "update-ref", "-d", "refs/heads/received");
        try (Database db = Database.open(Database.h2Url(data), null, null)) {
            new RefUpdateLog(db).record("churn", List.of(new RefUpdate("refs/heads/dev", RefUpdate.ZERO, sha)),
                    Provenance.Cause.PUSH, 1L);
        }

        try (TestServer kiln = TestServer.start(data)) {
            assertThat(kiln.api.list(10)).isEmpty();
            assertThat(kiln.api.repo("churn").heads()).isEmpty();
            // The push made again builds as usual.
            git.signIn(kiln).run(work, "push", "-q", kiln.server.url() + "/git/churn.git", "dev");
            assertThat(kiln.api.list(10)).extracting(BuildView::commitSha).containsExactly(sha);
        }
        try (Database db = Database.open(Database.h2Url(data), null, null)) {
            assertThat(new RefUpdateLog(db).pending()).isEmpty();
        }
    }
}
