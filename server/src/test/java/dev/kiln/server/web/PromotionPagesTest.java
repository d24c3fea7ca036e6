package dev.kiln.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.server.promotion.Promotion;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The promotion pages over HTTP, as a browser without script uses them: the gate table, rejecting
 * with a comment, the Approve form refused without its CSRF token, a refused approval told on the
 * page, and untrusted text (comments, the commit's author) escaped everywhere it shows.
 */
class PromotionPagesTest {
    @TempDir Path tmp;
    PromotionSite site;

    @AfterEach
    void stop() {
        if (site != null) {
            site.close();
        }
    }

    private static Map<String, String> approval(String csrf, Promotion p, String comment) {
        return Map.of("csrf", csrf, "commit", p.commitSha(), "metricsDigest", p.metricsDigest(),
                "artifactsDigest", p.artifactsDigest(), "comment", comment);
    }

    @Test
    void the_page_shows_gates_metrics_artifacts_and_the_first_promotion_and_reject_ends_it_with_the_comment() throws Exception {
        site = new PromotionSite(tmp, List.of("accuracy >= 0.80", "accuracy >= production - 0.01"));
        Promotion p = site.pushDev("0.90");
        String page = "/promotions/" + p.id();
        WebSession bob = site.session("bob");
        String body = bob.get(page).body();
        assertThat(body).contains("AWAITING_APPROVAL", "first promotion: no production model yet", "<code>accuracy &gt;= 0.80</code>",
                "fixed number", "against production (none yet)", ">PASS<", ">not applicable<", ">0.9<", ">0.8<",
                "model.pkl", "href=\"/api/builds/" + p.buildId() + "/artifacts/model.pkl\"",
                "name=\"commit\" value=\"" + p.commitSha() + "\"", "name=\"metricsDigest\" value=\"" + p.metricsDigest() + "\"",
                "name=\"artifactsDigest\" value=\"" + p.artifactsDigest() + "\"", "href=\"/builds/" + p.buildId() + "\"",
                "href=\"/repos/churn\"");
        // The list, filtered, and the candidate build's banner.
        assertThat(bob.get("/promotions?repo=churn&state=awaiting_approval").body()).contains("id=\"p-" + p.id() + "\"");
        assertThat(bob.get("/promotions?state=PROMOTED").body()).contains("id=\"no-promotions\"").doesNotContain(p.id());
        assertThat(bob.get("/promotions?state=nope").statusCode()).isEqualTo(400);
        assertThat(bob.get("/builds/" + p.buildId()).body()).contains("class=\"promo-banner wait\"",
                "href=\"/promotions/" + p.id() + "\"", "awaiting approval (1 needed)");

        String evil = "<script>alert('reject')</script> drift on tenure";
        HttpResponse<String> r = bob.post(page + "/reject", Map.of("csrf", bob.csrf(page), "comment", evil));
        assertThat(r.statusCode()).isEqualTo(303);
        assertThat(r.headers().firstValue("Location")).hasValue(page);
        assertThat(site.get(p.id()).state()).isEqualTo(Promotion.State.REJECTED);
        String after = bob.get(page).body();
        assertThat(after).contains("REJECTED", "<strong>Rejected</strong> by bob",
                "<q>&lt;script&gt;alert('reject')&lt;/script&gt; drift on tenure</q>")
                .doesNotContain("<script>", "id=\"approve-form\"", "id=\"reject-form\"");
        assertThat(bob.get("/builds/" + p.buildId()).body()).contains("class=\"promo-banner bad\"", "rejected: rejected by bob:")
                .doesNotContain("<script>");
        assertThat(site.prodHead()).isNull();
    }

    @Test
    void approving_needs_the_forms_token_and_a_superseded_promotion_says_why_on_its_page() throws Exception {
        site = new PromotionSite(tmp, List.of("accuracy >= 0.5"));
        site.git.env("GIT_AUTHOR_NAME", "<img src=x onerror=alert(1)>");
        Promotion older = site.pushDev("0.90");
        String page = "/promotions/" + older.id();
        WebSession alice = site.session("alice");
        String shown = alice.get(page).body();
        // Git drops the name's angle brackets; the e-mail's are the author's text and shown as such.
        assertThat(shown).contains("by img src=x onerror=alert(1) &lt;ada@example.com&gt;").doesNotContain("<ada@");
        String csrf = alice.csrf(page);

        Map<String, String> noToken = new java.util.HashMap<>(approval(csrf, older, "ok"));
        noToken.remove("csrf");
        assertThat(alice.post(page + "/approve", noToken).statusCode()).as("no CSRF token").isEqualTo(401);
        assertThat(alice.post(page + "/approve", "http://evil.example", true, approval(csrf, older, "ok")).statusCode())
                .as("another site").isEqualTo(403);
        assertThat(alice.post(page + "/approve", approval("guess", older, "ok")).statusCode()).as("a wrong token")
                .isEqualTo(401);
        // A developer's session is refused by the guard, before the promotion is looked at.
        WebSession dana = site.session("dana");
        assertThat(dana.get(page).body()).contains("id=\"cannot-decide\"").doesNotContain("id=\"approve-form\"");
        assertThat(dana.post(page + "/approve", approval(dana.csrf(page), older, "mine")).statusCode()).isEqualTo(403);
        assertThat(site.get(older.id()).state()).isEqualTo(Promotion.State.AWAITING_APPROVAL);

        Promotion newer = site.pushDev("0.91");
        HttpResponse<String> late = alice.post(page + "/approve", approval(csrf, older, "too late"));
        assertThat(late.statusCode()).isEqualTo(409);
        assertThat(late.body()).contains("id=\"form-error\"", "promotion " + older.id() + " is SUPERSEDED, not awaiting approval",
                "superseded by promotion " + newer.id()).doesNotContain("Exception", "at dev.", "{\"status\"");
        assertThat(site.prodHead()).isNull();

        // What the page showed no longer holds (another commit named): refused, said on the page.
        String next = "/promotions/" + newer.id();
        Map<String, String> wrong = new java.util.HashMap<>(approval(csrf, newer, "ok"));
        wrong.put("commit", older.commitSha());
        HttpResponse<String> changed = alice.post(next + "/approve", wrong);
        assertThat(changed.statusCode()).isEqualTo(409);
        assertThat(changed.body()).contains("id=\"form-error\"", "not approved: the commit").contains("id=\"approve-form\"");

        HttpResponse<String> ok = alice.post(next + "/approve", approval(csrf, newer, "<b>ship</b> it"));
        assertThat(ok.statusCode()).isEqualTo(303);
        assertThat(ok.headers().firstValue("Location")).hasValue(next);
        assertThat(site.prodHead()).isEqualTo(newer.commitSha());
        String after = alice.get(next).body();
        assertThat(after).contains("<strong>Approved</strong> by alice", "<q>&lt;b&gt;ship&lt;/b&gt; it</q>")
                .doesNotContain("<b>ship</b>");
    }
}
