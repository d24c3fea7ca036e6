package dev.kiln.server.git;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.server.support.GitCli;
import dev.kiln.server.support.KilnProcess;
import dev.kiln.server.support.TestServer;
import dev.kiln.spec.api.BuildView;
import dev.kiln.spec.protocol.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's git walkthrough as a user types it: kiln repos, kiln triggers, git push, kiln builds. */
class GitCliTest {
    @TempDir Path tmp;

    private static KilnProcess kiln(Path dir, TestServer server, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--server", server.server.url(), "--token", server.server.adminToken()));
        return KilnProcess.start(dir, all.toArray(String[]::new));
    }

    /** A directory holding a {@code kiln} command that runs this build's CLI, as an installed one would. */
    static Path kilnOnPath(Path tmp) throws java.io.IOException {
        Path bin = java.nio.file.Files.createDirectories(tmp.resolve("bin"));
        Path kiln = bin.resolve("kiln");
        java.nio.file.Files.writeString(kiln, "#!/bin/sh\nexec '" + Path.of(System.getProperty("java.home"), "bin", "java")
                + "' -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp '" + System.getProperty("java.class.path")
                + "' dev.kiln.server.cli.Main \"$@\"\n");
        java.nio.file.Files.setPosixFilePermissions(kiln, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        return bin;
    }

    private static String ok(KilnProcess p) throws Exception {
        assertThat(p.awaitExit(Duration.ofSeconds(60))).as(p.output()).isZero();
        return p.output();
    }

    @Test
    void repos_add_triggers_create_git_push_and_the_build_of_that_commit_streams_in_builds_log() throws Exception {
        GitCli git = GitCli.in(tmp);
        try (TestServer server = TestServer.start(tmp.resolve("data"))) {
            String added = ok(kiln(tmp, server, "repos", "add", "churn"));
            String url = server.server.url().replace("http://", "http://admin@") + "/git/churn.git";
            String helper = "git config credential." + server.server.url() + ".helper '!kiln git-credential'";
            assertThat(added).contains("git remote add kiln " + url, helper, "git push kiln BRANCH",
                    "Protected (no push changes them, only the server): prod");
            ok(kiln(tmp, server, "triggers", "create", "dev-push", "--repo", "churn", "--branch", "^dev$",
                    "--substitutions", "_ENV=dev"));

            KilnProcess bad = kiln(tmp, server, "triggers", "create", "broken", "--repo", "churn", "--branch", "dev[");
            assertThat(bad.awaitExit(Duration.ofSeconds(60))).isEqualTo(1);
            assertThat(bad.output()).contains("ERROR: branch regex 'dev[' does not compile").doesNotContain("Exception", "\tat ");

            Path work = git.init(tmp.resolve("work"), "dev");
            String sha = git.commit(work, "first model", Map.of("build.yaml",
                    "steps:\n  - args: [sh, -c, 'echo training $SHORT_SHA for $_ENV']\n"));
            // As printed: the remote names the user, git asks `kiln git-credential` for the token, which
            // finds it as every kiln command does (here KILN_TOKEN); the token is never in .git/config.
            git.env("PATH", kilnOnPath(tmp) + ":" + System.getenv("PATH")).env("KILN_TOKEN", server.server.adminToken());
            git.run(work, "remote", "add", "kiln", url);
            git.run(work, "config", "credential." + server.server.url() + ".helper", "!kiln git-credential");
            git.run(work, "push", "-q", "kiln", "dev");
            assertThat(java.nio.file.Files.readString(work.resolve(".git/config"))).contains("kiln git-credential")
                    .doesNotContain(server.server.adminToken());
            GitCli.Result prod = git.attempt(work, "push", "kiln", "dev:prod");
            assertThat(prod.output()).contains("branch prod is protected");
            // Asked for another host's credentials, the helper answers nothing: no Kiln token leaves for it.
            Map<String, String> token = Map.of("KILN_TOKEN", server.server.adminToken());
            KilnProcess foreign = KilnProcess.withInput(tmp, "protocol=https\nhost=github.com\nusername=admin\n\n", token,
                    "git-credential", "get");
            assertThat(foreign.awaitExit(Duration.ofSeconds(60))).isZero();
            assertThat(foreign.output()).isEmpty();
            String host = server.server.url().substring("http://".length());
            KilnProcess local = KilnProcess.withInput(tmp, "protocol=http\nhost=" + host + "\nusername=admin\n\n", token,
                    "git-credential", "get");
            assertThat(local.awaitExit(Duration.ofSeconds(60))).isZero();
            assertThat(local.output()).isEqualTo("username=admin\npassword=" + server.server.adminToken() + "\n");
            // A remote URL that names no user (the dashboard's): the helper asks the server whose the token is.
            server.server.users().add("dana", dev.kiln.server.access.Role.DEVELOPER, "a-long-password-dana");
            String dana = server.server.tokens().create("dana", "git", null, null);
            KilnProcess nameless = KilnProcess.withInput(tmp, "protocol=http\nhost=" + host + "\n\n",
                    Map.of("KILN_TOKEN", dana), "git-credential", "get");
            assertThat(nameless.awaitExit(Duration.ofSeconds(60))).isZero();
            assertThat(nameless.output()).isEqualTo("username=dana\npassword=" + dana + "\n");

            String id = server.api.list(1).get(0).id();
            String log = ok(kiln(tmp, server, "builds", "log", id, "--stream"));
            assertThat(log).contains("training " + sha.substring(0, 7) + " for dev");

            String listed = ok(kiln(tmp, server, "builds", "list", "--repo", "churn", "--branch", "dev", "--trigger",
                    "dev-push", "--status", "success"));
            assertThat(listed).contains(id);
            assertThat(ok(kiln(tmp, server, "builds", "list", "--branch", "main"))).doesNotContain(id);
            assertThat(ok(kiln(tmp, server, "builds", "get", id))).contains("cause: push", "repo: churn",
                    "ref: refs/heads/dev", "commit: " + sha, "author: Ada Lovelace <ada@example.com>", "message: first model",
                    "trigger: dev-push");
            assertThat(ok(kiln(tmp, server, "repos", "describe", "churn"))).contains("kind: HOSTED", "gitUrl: " + url, "protectedBranches: prod",
                    "refs/heads/dev " + sha);

            assertThat(ok(kiln(tmp, server, "repos", "protect", "churn", "release/1.x"))).contains(
                    "Protected branch [release/1.x] of repo [churn]. Protected branches: prod, release/1.x.");
            assertThat(ok(kiln(tmp, server, "repos", "unprotect", "churn", "prod"))).contains(
                    "Unprotected branch [prod] of repo [churn]. Protected branches: release/1.x.");

            String run = ok(kiln(tmp, server, "triggers", "run", "dev-push", "--sha", sha, "--substitutions", "_ENV=again"));
            BuildView manual = server.api.list(1).get(0);
            assertThat(run).contains("Created [" + server.server.url() + "/builds/" + manual.id() + "] from " + sha);
            assertThat(manual.cause()).isEqualTo("manual");
            assertThat(server.awaitEnd(manual.id(), Duration.ofSeconds(60)).status()).isEqualTo(Status.SUCCESS);
            assertThat(server.logText(manual.id(), 0)).contains("for again");

            ok(kiln(tmp, server, "triggers", "create", "pr-dev", "--repo", "churn", "--branch", "^dev$", "--pull-request",
                    "--comment-control", "--collaborators", "ada,Grace"));
            assertThat(ok(kiln(tmp, server, "triggers", "describe", "pr-dev"))).contains("collaborators: ada,Grace");
            ok(kiln(tmp, server, "triggers", "delete", "pr-dev"));

            ok(kiln(tmp, server, "triggers", "disable", "dev-push"));
            assertThat(ok(kiln(tmp, server, "triggers", "list"))).containsPattern("dev-push\\s+churn\\s+false\\s+branch \\^dev\\$");
        }
    }
}
