package dev.kiln.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.server.support.GitCli;
import dev.kiln.server.support.TestServer;
import dev.kiln.spec.api.BuildView;
import dev.kiln.spec.api.RepoRequest;
import dev.kiln.spec.api.TriggerView;
import dev.kiln.spec.protocol.Status;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Approve and Reject on a PENDING build's page, over HTTP: refused without the form's token or from
 * another site (the build still waits, undecided), the same decision as {@code kiln builds approve}
 * otherwise, and the decision shown on the page, escaped.
 */
class ApprovalPageTest {
    @TempDir Path tmp;
    TestServer kiln;
    GitCli git;
    Path work;
    WebSession web;

    @BeforeEach
    void start() throws Exception {
        git = GitCli.in(tmp);
        kiln = TestServer.start(tmp.resolve("data"));
        kiln.api.createRepo(new RepoRequest("churn", null, null, null, null));
        kiln.api.createTrigger(new TriggerView("gated", "churn", "^prod$", null, false, null, List.of(), List.of(),
                Map.of(), true, null, false, false, true, null, null));
        work = git.init(tmp.resolve("work"), "prod");
        kiln.api.protectBranch("churn", "prod", false);   // the approval gate is tested here, not branch protection
        git.signIn(kiln).run(work, "remote", "add", "kiln", kiln.server.url() + "/git/churn.git");
        git.commit(work, "model", Map.of("build.yaml", "steps:\n  - args: [sh, -c, 'echo approved-and-ran']\n"));
        web = new WebSession(kiln.server.url());
    }

    @AfterEach
    void stop() {
        if (kiln != null) {
            kiln.close();
        }
    }

    private BuildView pushGated() throws Exception {
        git.run(work, "commit", "-q", "--allow-empty", "-m", "again");
        git.run(work, "push", "-q", "-f", "kiln", "prod");
        BuildView b = kiln.api.list(1, null, null, "gated", null).get(0);
        assertThat(b.status()).isEqualTo(Status.PENDING);
        return b;
    }

    @Test
    void approve_needs_the_forms_token_and_then_runs_the_build_and_the_page_says_who_approved() throws Exception {
        BuildView b = pushGated();
        String page = "/builds/" + b.id();
        // Not signed in: the sign-in page, coming back here after.
        HttpResponse<String> anonymous = web.get(page);
        assertThat(anonymous.statusCode()).isEqualTo(303);
        assertThat(anonymous.headers().firstValue("Location")).hasValue("/login?next=%2Fbuilds%2F" + b.id());
        // Signed in as a developer: the build waits, but deciding is for approvers, so no form.
        kiln.server.users().add("dev", dev.kiln.server.access.Role.DEVELOPER, "developer-password");
        String developer = new WebSession(kiln.server.url()).signIn("dev", "developer-password").get(page).body();
        assertThat(developer).contains("Waiting for approval", "Trigger gated requires approval",
                "Approving or rejecting it needs the approver role on this repo", "id=\"cancel\"")
                .doesNotContain("action=\"/builds/" + b.id() + "/approve\"", "Sign in to approve or reject");

        web.signInAsAdmin(kiln);
        String csrf = web.csrf(page);
        assertThat(web.get(page).body()).contains("action=\"/builds/" + b.id() + "/approve\"",
                "formaction=\"/builds/" + b.id() + "/reject\"", "name=\"comment\"");
        String approve = page + "/approve";
        assertThat(web.post(approve, Map.of("comment", "ok")).statusCode()).as("no CSRF token").isEqualTo(401);
        assertThat(web.post(approve, "http://evil.example", true, Map.of("csrf", csrf)).statusCode()).as("another site")
                .isEqualTo(403);
        assertThat(web.post(approve, web.base, false, Map.of("csrf", csrf)).statusCode()).as("no session").isEqualTo(401);
        assertThat(web.post(page + "/reject", Map.of("csrf", "guess")).statusCode()).as("a wrong token").isEqualTo(401);
        BuildView still = kiln.api.get(b.id());
        assertThat(still.status()).isEqualTo(Status.PENDING);
        assertThat(still.approval()).isNull();

        HttpResponse<String> ok = web.post(approve, Map.of("csrf", csrf, "comment", "looks good"));
        assertThat(ok.statusCode()).isEqualTo(303);
        assertThat(ok.headers().firstValue("Location")).hasValue(page);
        BuildView ended = kiln.awaitEnd(b.id(), Duration.ofSeconds(60));
        assertThat(ended.status()).isEqualTo(Status.SUCCESS);
        assertThat(ended.approval()).extracting(a -> a.decision(), a -> a.approver(), a -> a.comment())
                .containsExactly("APPROVED", "admin", "looks good");
        assertThat(kiln.logText(b.id(), 0)).contains("approved-and-ran");
        String after = web.get(page).body();
        assertThat(after).contains("<dt>Approved</dt>", "by admin", "<q>looks good</q>").doesNotContain("Waiting for approval");

        // Deciding it again is refused on its page, saying what happened to it.
        HttpResponse<String> again = web.post(page + "/reject", Map.of("csrf", csrf, "comment", "too late"));
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(again.body()).contains("id=\"form-error\"", "cannot reject build " + b.id()
                + ": it is not waiting for approval (approved by admin").doesNotContain("Exception", "at dev.");
        assertThat(kiln.api.get(b.id()).status()).isEqualTo(Status.SUCCESS);
    }

    @Test
    void reject_ends_the_build_cancelled_and_the_page_shows_who_when_and_the_comment_escaped() throws Exception {
        BuildView b = pushGated();
        String page = "/builds/" + b.id();
        web.signInAsAdmin(kiln);
        HttpResponse<String> no = web.post(page + "/reject", Map.of("csrf", web.csrf(page),
                "comment", "<img src=x onerror=alert(1)> not tonight"));
        assertThat(no.statusCode()).isEqualTo(303);
        BuildView rejected = kiln.api.get(b.id());
        assertThat(rejected.status()).isEqualTo(Status.CANCELLED);
        assertThat(rejected.approval().comment()).isEqualTo("<img src=x onerror=alert(1)> not tonight");
        String body = web.get(page).body();
        assertThat(body).contains("<dt>Rejected</dt>", "by admin", "datetime=\"" + rejected.approval().time() + "\"",
                "<q>&lt;img src=x onerror=alert(1)&gt; not tonight</q>").doesNotContain("<img src=x", "Waiting for approval");
    }

    @Test
    void deciding_an_unknown_build_is_a_404_page() throws Exception {
        BuildView b = pushGated();
        web.signInAsAdmin(kiln);
        HttpResponse<String> r = web.post("/builds/nope/approve", Map.of("csrf", web.csrf("/builds/" + b.id())));
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).contains("no build nope").doesNotContain("Exception");
        assertThat(kiln.api.get(b.id()).status()).isEqualTo(Status.PENDING);
    }
}
