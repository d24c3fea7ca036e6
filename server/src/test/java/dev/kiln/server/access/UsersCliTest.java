package dev.kiln.server.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.server.support.KilnProcess;
import dev.kiln.server.support.TestServer;
import dev.kiln.spec.api.RepoRequest;
import dev.kiln.spec.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kiln users}, {@code kiln tokens} and {@code kiln whoami} as a user types them, against a real server. */
class UsersCliTest {
    private static final Pattern TOKEN = Pattern.compile("kiln_[0-9a-f]{16}_[A-Za-z0-9_-]{43}");

    @TempDir Path tmp;
    TestServer kiln;

    @BeforeEach
    void start() throws Exception {
        kiln = TestServer.start(tmp.resolve("data"));
        kiln.api.createRepo(new RepoRequest("churn", null, null, null, null));
    }

    @AfterEach
    void stop() {
        kiln.close();
    }

    /** {@code kiln ARGS} with the admin token; returns its exit code, output in {@code out}. */
    private KilnProcess kilnCli(String... args) throws Exception {
        return kilnAs(kiln.server.adminToken(), args);
    }

    private KilnProcess kilnAs(String token, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--server", kiln.server.url(), "--token", token));
        KilnProcess p = KilnProcess.start(tmp, all.toArray(String[]::new));
        p.awaitExit(Duration.ofSeconds(60));
        return p;
    }

    private static String find(String regex, String text) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as("/" + regex + "/ in:\n" + text).isTrue();
        return m.group(1);
    }

    @Test
    void users_are_added_listed_raised_on_a_repo_disabled_and_reset() throws Exception {
        KilnProcess add = kilnCli("users", "add", "ml", "--role", "developer");
        assertThat(add.process.exitValue()).as(add.output()).isZero();
        String password = find("Password \\(shown only now[^)]*\\): (\\S+)", add.output());
        assertThat(add.output()).startsWith("Added ml as developer.");
        assertThat(kiln.server.users().checkPassword("ml", password)).isPresent();

        KilnProcess chosen = KilnProcess.withInput(tmp, "a-chosen-password\n", "users", "add", "ds", "--role", "viewer",
                "--password-stdin", "--server", kiln.server.url(), "--token", kiln.server.adminToken());
        assertThat(chosen.awaitExit(Duration.ofSeconds(60))).as(chosen.output()).isZero();
        assertThat(chosen.output()).contains("Added ds as viewer.").doesNotContain("a-chosen-password", "Password");
        assertThat(kiln.server.users().checkPassword("ds", "a-chosen-password")).isPresent();

        KilnProcess raise = kilnCli("users", "set-role", "ml", "approver", "--repo", "churn");
        assertThat(raise.output()).contains("ml is now approver on churn (developer elsewhere).");
        KilnProcess list = kilnCli("users", "list");
        assertThat(list.output()).containsPattern("(?m)^NAME\\s+ROLE\\s+STATUS\\s+CREATE_TIME\\s+REPO_ROLES$")
                .containsPattern("(?m)^admin\\s+admin\\s+enabled\\s+\\S+\\s+-$")
                .containsPattern("(?m)^ds\\s+viewer\\s+enabled\\s+\\S+\\s+-$")
                .containsPattern("(?m)^ml\\s+developer\\s+enabled\\s+\\S+\\s+churn=approver$")
                .doesNotContain(password);
        var json = Json.MAPPER.readTree(kilnCli("users", "list", "--format", "json").output());
        assertThat(json.size()).isEqualTo(3);
        assertThat(json.get(2).path("repoRoles").path("churn").asText()).isEqualTo("approver");
        assertThat(json.toString()).doesNotContain("password");
        assertThat(kilnCli("users", "set-role", "ml", "none", "--repo", "churn").output())
                .contains("ml has no role of its own on churn now (developer as everywhere).");
        assertThat(kilnCli("users", "set-role", "ml", "approver").output()).contains("ml is now approver.");

        KilnProcess last = kilnCli("users", "disable", "admin");
        assertThat(last.process.exitValue()).isEqualTo(1);
        assertThat(last.output()).contains("ERROR: cannot disable admin: it is the last enabled admin");
        KilnProcess badRole = kilnCli("users", "set-role", "ml", "root");
        assertThat(badRole.process.exitValue()).isEqualTo(1);
        assertThat(badRole.output()).contains("ERROR: role: role must be one of viewer, developer, approver, admin, not 'root'");

        assertThat(kilnCli("users", "disable", "ml").output()).contains("Disabled ml: its tokens no longer work.");
        assertThat(kiln.server.users().get("ml").orElseThrow().disabled()).isTrue();
        assertThat(kilnCli("users", "enable", "ml").output()).contains("Enabled ml.");
        KilnProcess reset = kilnCli("users", "reset-password", "ml");
        String fresh = find("Password \\(shown only now[^)]*\\): (\\S+)", reset.output());
        assertThat(fresh).isNotEqualTo(password);
        assertThat(kiln.server.users().checkPassword("ml", fresh)).isPresent();
        assertThat(kiln.server.users().checkPassword("ml", password)).isEmpty();
    }

    @Test
    void a_token_is_printed_alone_on_stdout_once_and_whoami_list_and_revoke_work_with_it() throws Exception {
        kiln.api.addUser(dev.kiln.spec.api.UserRequest.add("ml", "developer", "ml-password"));
        // Standard error to a file of its own, so the test sees exactly what $(kiln tokens create) captures.
        Path err = tmp.resolve("create.err");
        KilnProcess create = KilnProcess.start(tmp, Map.of(), List.of("sh", "-c", "exec \"$@\" 2>" + err, "sh"),
                "tokens", "create", "--name", "ci", "--expires", "30d", "--role", "viewer", "--user", "ml",
                "--server", kiln.server.url(), "--token", kiln.server.adminToken());
        assertThat(create.awaitExit(Duration.ofSeconds(60))).as(create.output() + Files.readString(err)).isZero();
        String token = create.output().strip();
        assertThat(create.output()).matches(TOKEN.pattern() + "\n");
        String id = token.substring(5, 21);
        assertThat(Files.readString(err)).contains("Made token " + id + " 'ci' for ml (at most viewer, expires ")
                .contains("shown only this once").doesNotContain(token);

        KilnProcess who = kilnAs(token, "whoami");
        assertThat(who.output()).contains("user:       ml (developer)", "role:       viewer (this token's cap)",
                "token:      " + id + ", at most viewer, expires ");
        var whoJson = Json.MAPPER.readTree(kilnAs(token, "whoami", "--format", "json").output());
        assertThat(whoJson.path("role").asText()).isEqualTo("viewer");
        assertThat(whoJson.path("tokenId").asText()).isEqualTo(id);

        KilnProcess write = kilnAs(token, "tokens", "create", "--role", "developer");
        assertThat(write.process.exitValue()).isEqualTo(1);
        assertThat(write.output()).contains("ERROR: a token carries at most the role of the token that makes it");

        KilnProcess list = kilnCli("tokens", "list", "--user", "ml");
        assertThat(list.output()).containsPattern("(?m)^" + id + "\\s+ci\\s+ml\\s+viewer\\s+\\S+\\s+\\S+\\s+active$")
                .doesNotContain(token);
        assertThat(kilnAs(token, "tokens", "list").output()).contains(id).doesNotContain("admin.token");

        assertThat(kilnCli("tokens", "revoke", id).output()).contains("Revoked token " + id + " 'ci' of ml.");
        KilnProcess gone = kilnAs(token, "whoami");
        assertThat(gone.process.exitValue()).isEqualTo(1);
        assertThat(gone.output()).contains("ERROR: the token is not valid here");
        assertThat(kilnCli("tokens", "list", "--user", "ml").output()).containsPattern("(?m)^" + id + "\\s.*\\srevoked$");
        assertThat(kiln.server.audit().list(10, null, null)).extracting(AuditLog.Entry::action)
                .contains("token.create", "token.revoke");
    }
}
