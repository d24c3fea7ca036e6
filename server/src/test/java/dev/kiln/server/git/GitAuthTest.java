package dev.kiln.server.git;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.server.KilnServer;
import dev.kiln.server.access.Role;
import dev.kiln.server.support.GitCli;
import dev.kiln.server.support.TestServer;
import dev.kiln.spec.api.RepoRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who may clone and push a hosted repo over HTTP, with the real git CLI and the credentials a user
 * gives it (user name and API token): nobody without them, viewers clone, developers push, a
 * per-repo developer only to that repo, a revoked token nowhere, anyone clones with --public-read.
 */
class GitAuthTest {
    @TempDir Path tmp;
    TestServer kiln;
    GitCli git;
    String sha;

    /** A server with churn (one commit on dev, pushed by the admin) and other, both hosted. */
    private void start(boolean publicRead) throws Exception {
        git = GitCli.in(tmp);
        kiln = TestServer.start(KilnServer.Config.defaults(tmp.resolve("data")).withPort(0)
                .withLease(Duration.ofSeconds(3), Duration.ofMillis(500)).withPublicRead(publicRead));
        kiln.api.createRepo(new RepoRequest("churn", null, null, null, null));
        kiln.api.createRepo(new RepoRequest("other", null, null, null, null));
        Path work = git.init(tmp.resolve("work"), "dev");
        sha = git.commit(work, "secret-model-v7", Map.of("build.yaml", "steps: []\n"));
        git.run(work, "push", "-q", GitCli.withCredentials(url("churn"), "admin", kiln.server.adminToken()), "dev");
    }

    @AfterEach
    void stop() {
        if (kiln != null) {
            kiln.close();
        }
    }

    private String url(String repo) {
        return kiln.server.url() + "/git/" + repo + ".git";
    }

    /** A user with {@code role} (and {@code repoRole} on churn) and one of their tokens. */
    private String user(String name, Role role, Role repoRole) {
        kiln.server.users().add(name, role, "a-long-password-" + name);
        if (repoRole != null) {
            kiln.server.users().setRepoRole(name, "churn", repoRole);
        }
        return kiln.server.tokens().create(name, "git", null, null);
    }

    /** A new commit on top of churn's dev, in a clone made as {@code user}; its work tree. */
    private Path cloneAndCommit(String dir, String user, String token) throws Exception {
        Path clone = tmp.resolve(dir);
        git.run(tmp, "clone", "-q", "-b", "dev", GitCli.withCredentials(url("churn"), user, token), clone.toString());
        git.commit(clone, "change by " + user, Map.of("note.txt", user + "\n"));
        return clone;
    }

    @Test
    void a_clone_without_credentials_fails_as_git_auth_failures_do_and_tells_nothing_of_the_repo() throws Exception {
        start(false);
        GitCli.Result churn = git.attempt(tmp, "clone", url("churn"), tmp.resolve("c1").toString());
        GitCli.Result nope = git.attempt(tmp, "clone", url("nope"), tmp.resolve("c2").toString());
        assertThat(churn.exit()).isNotZero();
        // git asked for credentials (the 401's WWW-Authenticate) and had none to give.
        assertThat(churn.output()).contains("could not read Username");
        assertThat(churn.output()).doesNotContain(sha, "secret-model", "refs/heads");
        // The same answer for a repo that does not exist.
        assertThat(nope.output().replace("nope", "churn").replace("c2", "c1")).isEqualTo(churn.output());
        assertThat(tmp.resolve("c1").resolve(".git").resolve("refs/heads/dev")).doesNotExist();

        GitCli.Result bad = git.attempt(tmp, "clone", GitCli.withCredentials(url("churn"), "admin",
                kiln.server.adminToken() + "x"), tmp.resolve("c3").toString());
        assertThat(bad.output()).contains("Authentication failed").doesNotContain(sha);
    }

    @Test
    void a_viewer_clones_but_a_push_is_refused_with_the_role_it_needs() throws Exception {
        start(false);
        String token = user("vera", Role.VIEWER, null);
        Path clone = cloneAndCommit("vera", "vera", token);
        assertThat(git.run(clone, "log", "--format=%H")).contains(sha);

        GitCli.Result push = git.attempt(clone, "push", "origin", "dev");
        assertThat(push.exit()).isNotZero();
        assertThat(push.output()).contains("pushing to repo churn needs the developer role on it; vera has viewer", "403");
        assertThat(kiln.api.repo("churn").heads()).containsEntry("refs/heads/dev", sha);
    }

    @Test
    void a_developer_pushes_and_a_developer_of_one_repo_pushes_to_that_repo_only() throws Exception {
        start(false);
        Path dev = cloneAndCommit("dana", "dana", user("dana", Role.DEVELOPER, null));
        git.run(dev, "push", "-q", "origin", "dev");
        assertThat(kiln.api.repo("churn").heads()).containsEntry("refs/heads/dev", git.head(dev));

        String mlToken = user("ml", Role.VIEWER, Role.DEVELOPER);
        Path ml = cloneAndCommit("ml", "ml", mlToken);
        git.run(ml, "push", "-q", "origin", "dev:ml-branch");
        assertThat(kiln.api.repo("churn").heads()).containsEntry("refs/heads/ml-branch", git.head(ml));
        GitCli.Result elsewhere = git.attempt(ml, "push", GitCli.withCredentials(url("other"), "ml", mlToken), "dev");
        assertThat(elsewhere.exit()).isNotZero();
        assertThat(elsewhere.output()).contains("pushing to repo other needs the developer role on it; ml has viewer");
        assertThat(kiln.api.repo("other").heads()).isEmpty();
    }

    @Test
    void a_revoked_token_and_a_token_given_with_another_users_name_are_refused() throws Exception {
        start(false);
        String token = user("dana", Role.DEVELOPER, null);
        Path clone = cloneAndCommit("dana", "dana", token);
        GitCli.Result asAdmin = git.attempt(clone, "push", GitCli.withCredentials(url("churn"), "admin", token), "dev");
        assertThat(asAdmin.output()).contains("Authentication failed");

        String id = kiln.server.tokens().list("dana").get(0).id();
        kiln.server.tokens().revoke(id);
        GitCli.Result revoked = git.attempt(clone, "push", "origin", "dev");
        assertThat(revoked.exit()).isNotZero();
        assertThat(revoked.output()).contains("Authentication failed");
        assertThat(kiln.api.repo("churn").heads()).containsEntry("refs/heads/dev", sha);
    }

    @Test
    void with_public_read_anyone_clones_and_nobody_pushes_without_credentials() throws Exception {
        start(true);
        Path clone = tmp.resolve("anon");
        git.run(tmp, "clone", "-q", "-b", "dev", url("churn"), clone.toString());
        assertThat(git.head(clone)).isEqualTo(sha);
        git.commit(clone, "anonymous change", Map.of("x.txt", "x\n"));
        GitCli.Result push = git.attempt(clone, "push", "origin", "dev");
        assertThat(push.exit()).isNotZero();
        assertThat(push.output()).contains("could not read Username");
        assertThat(kiln.api.repo("churn").heads()).containsEntry("refs/heads/dev", sha);
    }
}
