package dev.kiln.server.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.agent.client.ApiClient;
import dev.kiln.agent.client.Credentials;
import dev.kiln.server.support.GitCli;
import dev.kiln.server.support.RawHttp;
import dev.kiln.server.support.TestServer;
import dev.kiln.spec.api.BuildView;
import dev.kiln.spec.api.RepoRequest;
import dev.kiln.spec.api.TokenRequest;
import dev.kiln.spec.api.TokenView;
import dev.kiln.spec.api.TriggerRun;
import dev.kiln.spec.api.TriggerView;
import dev.kiln.spec.api.UserRequest;
import dev.kiln.spec.api.UserView;
import dev.kiln.spec.api.WhoAmIView;
import dev.kiln.spec.protocol.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Users, roles and tokens through the real API of a real server: what a developer may not do, a
 * per-repo approver, a token's cap, expiry, revocation, disabling, the last admin, and that no
 * answer and no audit row carries a password.
 */
class UsersApiTest {
    @TempDir Path tmp;
    TestServer kiln;

    @BeforeEach
    void start() throws Exception {
        kiln = TestServer.start(tmp.resolve("data"));
    }

    @AfterEach
    void stop() {
        kiln.close();
    }

    private ApiClient as(String token) {
        return new ApiClient(kiln.server.url(), new Credentials(token, "test token"));
    }

    /** A user with {@code role} and a token of theirs, made by the admin. */
    private ApiClient user(String name, String role) throws Exception {
        kiln.api.addUser(UserRequest.add(name, role, "password-of-" + name));
        return as(kiln.api.createToken(new TokenRequest("t", null, null, name)).token());
    }

    private static void refused(int status, String message, ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ApiClient.ApiException.class, e -> {
            assertThat(e.error().status()).as(e.getMessage()).isEqualTo(status);
            assertThat(e.getMessage()).contains(message);
        });
    }

    /**
     * Hosted repos {@code names}, each with a trigger {@code gated-NAME} that needs approval, and a
     * commit on {@code prod} (written into the bare repo directly: this test is about roles, not git).
     */
    private void gatedRepos(String... names) throws Exception {
        GitCli git = GitCli.in(tmp);
        Path work = git.init(tmp.resolve("work"), "prod");
        git.commit(work, "model", Map.of("build.yaml", "steps:\n  - args: ['true']\n"));
        for (String name : names) {
            kiln.api.createRepo(new RepoRequest(name, null, null, null, null));
            kiln.api.createTrigger(new TriggerView("gated-" + name, name, "^prod$", null, false, null, List.of(), List.of(),
                    Map.of(), true, null, false, false, true, null, null));
            git.run(work, "push", "-q", kiln.dataDir.resolve("git").resolve(name + ".git").toString(), "prod");
        }
    }

    private BuildView pending(String repo) throws Exception {
        BuildView b = kiln.api.runTrigger("gated-" + repo, new TriggerRun("prod", null, null, null));
        assertThat(b.status()).isEqualTo(Status.PENDING);
        return b;
    }

    @Test
    void a_developer_token_gets_403_on_admin_routes_and_on_approve() throws Exception {
        gatedRepos("churn");
        BuildView waiting = pending("churn");
        ApiClient dev = user("dana", "developer");

        refused(403, "this needs the admin role; dana has developer", dev::users);
        refused(403, "needs the admin role", () -> dev.addUser(UserRequest.add("mallory", "admin", "password-123")));
        refused(403, "needs the admin role", () -> dev.changeUser("dana", "role", UserRequest.role("admin")));
        refused(403, "needs the admin role", () -> dev.changeUser("dana", "repo-roles", UserRequest.repoRole("churn", "approver")));
        refused(403, "needs the admin role", () -> dev.enableUser("admin", false));
        refused(403, "needs the admin role", () -> dev.createRepo(new RepoRequest("mine", null, null, null, null)));
        // An approver role on no repo at all: the guard refuses before the build is even looked up.
        refused(403, "this needs the approver role; dana has developer", () -> dev.approve(waiting.id(), "me"));
        refused(403, "this needs the admin role; dana has developer", () -> dev.user("admin"));
        refused(403, "this needs the admin role; dana has developer", () -> dev.user("nobody-here"));
        refused(403, "only an admin may make a token for another user",
                () -> dev.createToken(new TokenRequest(null, null, null, "admin")));

        assertThat(kiln.api.get(waiting.id()).status()).isEqualTo(Status.PENDING);
        assertThat(kiln.api.users()).extracting(UserView::name).containsExactly("admin", "dana");
        assertThat(kiln.server.users().get("dana").orElseThrow().role()).isEqualTo(Role.DEVELOPER);
        // What a developer may do: read, and its own record (through whoami).
        assertThat(dev.get(waiting.id()).id()).isEqualTo(waiting.id());
        assertThat(dev.whoami().role()).isEqualTo("developer");
    }

    @Test
    void a_per_repo_approver_approves_builds_of_that_repo_and_not_of_another() throws Exception {
        gatedRepos("churn", "vision");
        BuildView churn = pending("churn");
        BuildView vision = pending("vision");
        ApiClient ml = user("ml", "developer");
        UserView raised = kiln.api.changeUser("ml", "repo-roles", UserRequest.repoRole("churn", "approver"));
        assertThat(raised.repoRoles()).containsExactly(Map.entry("churn", "approver"));
        assertThat(ml.whoami().repoRoles()).containsExactly(Map.entry("churn", "approver"));

        refused(403, "this needs the approver role on repo vision; ml has developer", () -> ml.approve(vision.id(), null));
        refused(403, "on repo vision", () -> ml.reject(vision.id(), null));
        BuildView approved = ml.approve(churn.id(), "ship it");
        assertThat(approved.approval().approver()).isEqualTo("ml");
        assertThat(approved.approval().decision()).isEqualTo("APPROVED");
        assertThat(kiln.api.get(vision.id()).status()).isEqualTo(Status.PENDING);

        // A repo role must raise, name a repo that exists, and goes away with "none".
        refused(400, "would change nothing", () -> kiln.api.changeUser("ml", "repo-roles", UserRequest.repoRole("vision", "viewer")));
        refused(404, "no repo nope", () -> kiln.api.changeUser("ml", "repo-roles", UserRequest.repoRole("nope", "approver")));
        assertThat(kiln.api.changeUser("ml", "repo-roles", UserRequest.repoRole("churn", "none")).repoRoles()).isEmpty();
        BuildView again = pending("churn");
        refused(403, "this needs the approver role; ml has developer", () -> ml.approve(again.id(), null));
        assertThat(kiln.server.audit().list(50, null, "user.repo-role")).extracting(AuditLog.Entry::detail)
                .containsExactly("repo churn: approver -> none", "repo churn: none -> approver");
    }

    @Test
    void a_token_carries_at_most_its_cap_and_makes_no_token_above_it() throws Exception {
        TokenView viewer = kiln.api.createToken(new TokenRequest("read-only", null, "viewer", null));
        assertThat(viewer.role()).isEqualTo("viewer");
        ApiClient ro = as(viewer.token());
        WhoAmIView me = ro.whoami();
        assertThat(me).extracting(WhoAmIView::name, WhoAmIView::role, WhoAmIView::userRole, WhoAmIView::tokenId,
                WhoAmIView::tokenRole).containsExactly("admin", "viewer", "admin", viewer.id(), "viewer");

        assertThat(ro.list(10)).isEmpty();
        refused(403, "this needs the admin role; admin has viewer", () -> ro.createRepo(new RepoRequest("x", null, null, null, null)));
        refused(403, "needs the admin role", ro::users);
        refused(403, "needs the admin role", () -> ro.enableUser("admin", false));
        refused(403, "a token carries at most the role of the token that makes it: this one carries viewer, not admin",
                () -> ro.createToken(new TokenRequest(null, null, "admin", null)));
        // Without a role, a token made by a viewer token is a viewer token too.
        TokenView child = ro.createToken(new TokenRequest("child", null, null, null));
        assertThat(child.role()).isEqualTo("viewer");
        refused(403, "admin has viewer", () -> as(child.token()).createRepo(new RepoRequest("y", null, null, null, null)));

        // Nor above its user's role, whoever asks.
        user("dana", "developer");
        refused(403, "a token carries at most its user's role; dana has developer",
                () -> kiln.api.createToken(new TokenRequest(null, null, "approver", "dana")));
        // A token that follows its user's role follows a raise too.
        ApiClient dana = as(kiln.api.createToken(new TokenRequest(null, null, null, "dana")).token());
        assertThat(dana.whoami().role()).isEqualTo("developer");
        kiln.api.changeUser("dana", "role", UserRequest.role("admin"));
        assertThat(dana.users()).extracting(UserView::name).contains("dana");
    }

    @Test
    void expired_revoked_and_disabled_users_tokens_are_refused_with_401() throws Exception {
        ApiClient dana = user("dana", "developer");
        TokenView hour = dana.createToken(new TokenRequest("ci", "1h", null, null));
        Instant expires = as(hour.token()).whoami().tokenExpireTime();
        assertThat(expires).isBetween(Instant.now().plus(Duration.ofMinutes(59)), Instant.now().plus(Duration.ofMinutes(61)));
        refused(400, "expires must be a time from now such as 90m, 12h, 30d or 2w",
                () -> dana.createToken(new TokenRequest(null, "tomorrow", null, null)));
        refused(400, "expires must be", () -> dana.createToken(new TokenRequest(null, "0d", null, null)));

        // Expired: the server's clock is the system's, so the token is made already past its time.
        String old = kiln.server.tokens().create("dana", "old", null, System.currentTimeMillis() - 1000);
        refused(401, "the token is not valid here", () -> as(old).whoami());

        // Revoked, by its owner; once only; someone else's token is no token to a non-admin.
        TokenView own = dana.createToken(new TokenRequest("laptop", null, null, null));
        assertThat(as(own.token()).whoami().name()).isEqualTo("dana");
        assertThat(dana.revokeToken(own.id()).revokeTime()).isNotNull();
        refused(401, "the token is not valid here", () -> as(own.token()).whoami());
        refused(409, "revoked already", () -> dana.revokeToken(own.id()));
        TokenView admins = kiln.api.createToken(new TokenRequest("admin's", null, null, null));
        refused(404, "no token " + admins.id(), () -> dana.revokeToken(admins.id()));
        assertThat(as(admins.token()).whoami().name()).isEqualTo("admin");
        refused(403, "only an admin may list another user's tokens", () -> dana.tokens("admin"));
        assertThat(dana.tokens(null)).extracting(TokenView::user).containsOnly("dana");
        assertThat(kiln.api.tokens("dana")).extracting(TokenView::name).contains("ci", "old", "laptop", "t");

        // Disabled: every token of the user stops at once, and works again once enabled.
        assertThat(kiln.api.enableUser("dana", false).disabled()).isTrue();
        refused(401, "the token is not valid here", dana::whoami);
        refused(401, "the token is not valid here", () -> as(hour.token()).whoami());
        refused(409, "user dana is disabled", () -> kiln.api.createToken(new TokenRequest(null, null, null, "dana")));
        kiln.api.enableUser("dana", true);
        assertThat(dana.whoami().name()).isEqualTo("dana");

        assertThat(kiln.server.audit().list(50, null, "token.revoke")).singleElement()
                .satisfies(e -> assertThat(e.detail()).isEqualTo("token " + own.id() + " 'laptop'"))
                .satisfies(e -> assertThat(e.actor()).isEqualTo("dana"));
        assertThat(kiln.server.audit().list(50, null, null)).extracting(AuditLog.Entry::action)
                .contains("token.create", "token.revoke", "user.disable", "user.enable");
    }

    @Test
    void the_last_enabled_admin_cannot_be_disabled_or_demoted() throws Exception {
        refused(409, "cannot disable admin: it is the last enabled admin", () -> kiln.api.enableUser("admin", false));
        refused(409, "cannot demote admin: it is the last enabled admin", () -> kiln.api.changeUser("admin", "role",
                UserRequest.role("approver")));
        ApiClient ops = user("ops", "admin");
        kiln.api.enableUser("ops", false);
        refused(409, "cannot disable admin", () -> kiln.api.enableUser("admin", false));
        kiln.api.enableUser("ops", true);

        // With another admin, the first may step down; then the other is the last one.
        assertThat(kiln.api.changeUser("admin", "role", UserRequest.role("developer")).role()).isEqualTo("developer");
        refused(403, "admin has developer", kiln.api::users);
        refused(409, "cannot demote ops", () -> ops.changeUser("ops", "role", UserRequest.role("viewer")));
        refused(409, "cannot disable ops", () -> ops.enableUser("ops", false));
        assertThat(ops.changeUser("admin", "role", UserRequest.role("admin")).role()).isEqualTo("admin");
        assertThat(kiln.api.users()).extracting(UserView::role).containsOnly("admin");
        assertThat(kiln.server.audit().list(50, null, "user.role")).extracting(AuditLog.Entry::actor, AuditLog.Entry::detail)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("ops", "developer -> admin"),
                        org.assertj.core.groups.Tuple.tuple("admin", "admin -> developer"));
    }

    @Test
    void passwords_are_in_no_answer_and_no_audit_row_and_only_a_generated_one_is_shown_once() throws Exception {
        String chosen = "correct-horse-battery";
        int port = kiln.server.port();
        String admin = "Bearer " + kiln.server.adminToken();
        var json = Map.of("Authorization", admin, "Content-Type", "application/json");
        RawHttp.Response added = RawHttp.send(port, "POST", "/api/users", json,
                ("{\"name\":\"ada\",\"role\":\"developer\",\"password\":\"" + chosen + "\"}").getBytes());
        assertThat(added.status()).isEqualTo(201);
        assertThat(added.body()).contains("\"name\":\"ada\"").doesNotContain(chosen, "password", "argon2");
        assertThat(kiln.server.users().checkPassword("ada", chosen)).isPresent();

        UserView bob = kiln.api.addUser(UserRequest.add("bob", "viewer", null));
        String generated = bob.password();
        assertThat(generated).hasSizeGreaterThanOrEqualTo(20);
        assertThat(kiln.server.users().checkPassword("bob", generated)).isPresent();
        refused(400, "at least 8 characters", () -> kiln.api.addUser(UserRequest.add("carl", "viewer", "short")));
        refused(409, "user bob exists", () -> kiln.api.addUser(UserRequest.add("bob", "viewer", null)));
        refused(400, "role must be one of viewer, developer, approver, admin", () -> kiln.api.addUser(UserRequest.add("carl", "root", null)));

        // Reset by an admin: a new generated one, shown once; the old one stops working.
        String reset = kiln.api.changeUser("bob", "password", UserRequest.password(null, null)).password();
        assertThat(reset).isNotEqualTo(generated);
        assertThat(kiln.server.users().checkPassword("bob", generated)).isEmpty();
        // Bob changes his own, with the old one; not with a wrong one, and not anyone else's.
        ApiClient bobs = as(kiln.api.createToken(new TokenRequest(null, null, null, "bob")).token());
        refused(403, "the old password is not right", () -> bobs.changeUser("bob", "password",
                UserRequest.password("bobs-new-password", "wrong-password")));
        refused(403, "only an admin may set another user's password", () -> bobs.changeUser("ada", "password",
                UserRequest.password("taken-over-password", reset)));
        UserView changed = bobs.changeUser("bob", "password", UserRequest.password("bobs-new-password", reset));
        assertThat(changed.password()).isNull();
        assertThat(kiln.server.users().checkPassword("bob", "bobs-new-password")).isPresent();
        assertThat(kiln.server.users().checkPassword("ada", chosen)).isPresent();
        // Guessing the old password through a token is cut short; a token capped below its user cannot try at all.
        for (int i = 0; i < 5; i++) {
            refused(403, "the old password is not right", () -> bobs.changeUser("bob", "password",
                    UserRequest.password("guessed-new-password", "guess-number-x")));
        }
        refused(429, "too many wrong old passwords for bob; try again in 15 minute(s)", () -> bobs.changeUser("bob", "password",
                UserRequest.password("guessed-new-password", "bobs-new-password")));
        assertThat(kiln.server.users().checkPassword("bob", "bobs-new-password")).isPresent();
        ApiClient adaViewer = as(kiln.api.createToken(new TokenRequest(null, null, "viewer", "ada")).token());
        refused(403, "this token carries viewer, less than ada's role developer", () -> adaViewer.changeUser("ada",
                "password", UserRequest.password("ada-new-password", chosen)));
        assertThat(kiln.server.users().checkPassword("ada", chosen)).isPresent();

        List<String> secrets = List.of(chosen, generated, reset, "bobs-new-password", "wrong-password", "taken-over-password",
                "guess-number-x", "guessed-new-password", "ada-new-password");
        for (String path : List.of("/api/users", "/api/users/bob", "/api/whoami", "/api/tokens")) {
            RawHttp.Response r = RawHttp.send(port, "GET", path, Map.of("Authorization", admin), new byte[0]);
            assertThat(r.status()).as(path).isEqualTo(200);
            assertThat(r.body()).as(path).doesNotContain("argon2", "hash", "password");
            secrets.forEach(s -> assertThat(r.body()).as(path).doesNotContain(s));
        }
        List<AuditLog.Entry> rows = kiln.server.audit().list(100, null, null);
        assertThat(rows).extracting(AuditLog.Entry::action).contains("user.add", "user.password", "user.password.refused");
        assertThat(rows).filteredOn(e -> e.action().equals("user.password")).extracting(AuditLog.Entry::detail)
                .containsExactly("changed by the user", "reset (generated)");
        for (AuditLog.Entry e : rows) {
            secrets.forEach(s -> assertThat(e.toString()).doesNotContain(s));
        }
    }
}
