package dev.kiln.server.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.agent.client.ApiClient;
import dev.kiln.agent.client.Credentials;
import dev.kiln.server.access.AuditLog;
import dev.kiln.server.access.Role;
import dev.kiln.server.store.Provenance;
import dev.kiln.server.support.GitCli;
import dev.kiln.server.support.RawHttp;
import dev.kiln.server.support.TestServer;
import dev.kiln.spec.api.RepoRequest;
import dev.kiln.spec.api.TriggerView;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Protected branches of a hosted repo, with the real git CLI: prod is protected from the start; a
 * push that would create, move, force-move or delete it is refused with why, the push's other refs
 * still land; the server's own update moves it; admins protect and unprotect; all of it audited.
 */
class BranchProtectionTest {
    @TempDir Path tmp;
    TestServer kiln;
    GitCli git;
    Path work;
    String first;

    @BeforeEach
    void start() throws Exception {
        git = GitCli.in(tmp);
        kiln = TestServer.start(tmp.resolve("data"));
        kiln.api.createRepo(new RepoRequest("churn", null, null, null, null));
        kiln.api.createTrigger(new TriggerView("prod-push", "churn", "^prod$", null, false, null, List.of(), List.of(),
                Map.of(), true, null));
        work = git.init(tmp.resolve("work"), "dev");
        git.signIn(kiln).run(work, "remote", "add", "kiln", kiln.server.url() + "/git/churn.git");
        first = git.commit(work, "first", Map.of("build.yaml", "steps:\n  - args: [sh, -c, 'echo shipped']\n"));
    }

    @AfterEach
    void stop() {
        if (kiln != null) {
            kiln.close();
        }
    }

    private Map<String, String> heads() throws Exception {
        return kiln.api.repo("churn").heads();
    }

    private List<AuditLog.Entry> audit(String action) {
        return kiln.server.audit().list(50, null, action);
    }

    @Test
    void a_push_creating_prod_is_refused_with_why_while_the_other_ref_of_the_same_push_lands() throws Exception {
        assertThat(kiln.api.repo("churn").protectedBranches()).containsExactly("prod");
        GitCli.Result push = git.attempt(work, "push", "kiln", "dev", "dev:prod");
        assertThat(push.exit()).isNotZero();
        assertThat(push.output()).contains("remote: kiln: branch prod is protected: no push creates, moves or deletes it,"
                + " only the Kiln server itself does (an admin lifts this with: kiln repos unprotect churn prod)");
        assertThat(push.output()).contains("! [remote rejected] dev -> prod (protected branch: only the server changes it)");
        assertThat(heads()).containsEntry("refs/heads/dev", first).doesNotContainKey("refs/heads/prod");
        assertThat(kiln.api.list(10)).as("nothing built for prod").isEmpty();
        assertThat(audit("git.push.refused")).singleElement().satisfies(e -> {
            assertThat(e.actor()).isEqualTo("admin");
            assertThat(e.target()).isEqualTo("churn refs/heads/prod");
            assertThat(e.address()).isEqualTo("127.0.0.1");
        });
    }

    @Test
    void the_servers_own_update_moves_prod_and_no_push_moves_force_moves_or_deletes_it() throws Exception {
        assertThatThrownBy(() -> kiln.server.serverUpdates().move("churn", "prod", RefUpdate.ZERO, first,
                Provenance.Cause.MANUAL)).isInstanceOf(Refusal.class).hasMessageContaining("has no commit " + first);
        git.run(work, "push", "-q", "kiln", "dev");
        List<String> built = kiln.server.serverUpdates().move("churn", "prod", RefUpdate.ZERO, first, Provenance.Cause.MANUAL);
        assertThat(heads()).containsEntry("refs/heads/prod", first);
        assertThat(built).singleElement().asString().startsWith("prod-push: build ");
        // The server's own update expects where the branch is: a stale expectation moves nothing.
        String second = git.commit(work, "second", Map.of("x.txt", "2\n"));
        git.run(work, "push", "-q", "kiln", "dev");
        assertThatThrownBy(() -> kiln.server.serverUpdates().move("churn", "prod", RefUpdate.ZERO, second,
                Provenance.Cause.MANUAL)).isInstanceOf(Refusal.class).hasMessageContaining("is no longer at");
        assertThat(heads()).containsEntry("refs/heads/prod", first);

        String orphan = git.run(work, "commit-tree", "HEAD^{tree}", "-m", "unrelated").strip();
        List<List<String>> pushes = List.of(List.of("dev:prod"), List.of("--force", orphan + ":prod"), List.of(":prod"));
        for (List<String> push : pushes) {
            refused(push);
        }
        kiln.server.serverUpdates().move("churn", "prod", first, second, Provenance.Cause.MANUAL);
        assertThat(heads()).containsEntry("refs/heads/prod", second);
        refused(List.of("-f", first + ":refs/heads/prod"));   // a rewind
        assertThat(heads()).containsEntry("refs/heads/prod", second);
        assertThat(audit("git.push.refused")).hasSize(4);
    }

    /** Pushes {@code push} to kiln: refused, saying why, prod left where it was. */
    private void refused(List<String> push) throws Exception {
        String before = heads().get("refs/heads/prod");
        List<String> args = new java.util.ArrayList<>(List.of("push", "kiln"));
        args.addAll(push);
        GitCli.Result r = git.attempt(work, args.toArray(String[]::new));
        assertThat(r.exit()).as(String.join(" ", push)).isNotZero();
        assertThat(r.output()).as(String.join(" ", push)).contains("branch prod is protected");
        assertThat(heads().get("refs/heads/prod")).as(String.join(" ", push)).isEqualTo(before);
    }

    @Test
    void admins_protect_and_unprotect_branches_and_others_may_not() throws Exception {
        kiln.server.users().add("dana", Role.DEVELOPER, "a-long-password-dana");
        ApiClient dana = new ApiClient(kiln.server.url(), new Credentials(kiln.server.tokens().create("dana", "t", null, null), "test"));
        assertThatThrownBy(() -> dana.protectBranch("churn", "main", true)).hasMessageContaining("admin");
        assertThat(RawHttp.send(kiln.server.port(), "POST", "/api/repos/churn/protected/main", Map.of(), new byte[0]).status())
                .isEqualTo(401);

        assertThat(kiln.api.protectBranch("churn", "release/1.x", true).protectedBranches())
                .containsExactly("prod", "release/1.x");
        assertThat(kiln.api.protectBranch("churn", "prod", false).protectedBranches()).containsExactly("release/1.x");
        git.run(work, "push", "-q", "kiln", "dev:prod");
        assertThat(heads()).containsEntry("refs/heads/prod", first);
        assertThat(git.attempt(work, "push", "kiln", "dev:release/1.x").output()).contains("branch release/1.x is protected");

        assertThatThrownBy(() -> kiln.api.protectBranch("churn", "bad..name", true)).hasMessageContaining("not a branch name");
        assertThatThrownBy(() -> kiln.api.protectBranch("nope", "prod", true)).hasMessageContaining("no repo nope");
        assertThat(audit("repo.protect")).extracting(AuditLog.Entry::target).containsExactly("churn release/1.x");
        assertThat(audit("repo.unprotect")).extracting(AuditLog.Entry::actor, AuditLog.Entry::target)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("admin", "churn prod"));
    }

    @Test
    void a_mirror_has_no_protected_branches_and_refuses_protection() throws Exception {
        Path upstream = tmp.resolve("upstream.git");
        git.run(tmp, "init", "-q", "--bare", upstream.toString());
        assertThat(kiln.api.createRepo(new RepoRequest("mirror", upstream.toString(), "1h", null, null)).protectedBranches())
                .isEmpty();
        assertThatThrownBy(() -> kiln.api.protectBranch("mirror", "prod", true))
                .hasMessageContaining("Kiln protects the branches of the repos it hosts");
    }
}
