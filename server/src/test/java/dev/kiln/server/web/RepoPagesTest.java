package dev.kiln.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.server.support.GitCli;
import dev.kiln.server.support.TestServer;
import dev.kiln.spec.api.BuildView;
import dev.kiln.spec.api.RepoRequest;
import dev.kiln.spec.api.TriggerView;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The repos pages over HTTP, as a browser without JavaScript sees them: what they show, the Run
 * form's CSRF check (refused: nothing built), a run that builds the pushed commit, refusals told
 * on the page and escaped, and unknown repos and triggers as 404 pages.
 */
class RepoPagesTest {
    private static final String EVIL = "http://evil.example";
    private static final String XSS = "<img src=x onerror=alert(1)>";
    /** Uses the trigger's substitution (an unused one is refused, as Cloud Build does), away from the shell. */
    static final String BUILD = "steps:\n  - args: [sh, -c, 'echo ran $SHORT_SHA']\n    env: ['NOTE=$_NOTE']\n";

    @TempDir Path tmp;
    TestServer kiln;
    GitCli git;
    WebSession web;

    @BeforeEach
    void start() throws Exception {
        git = GitCli.in(tmp);
        kiln = TestServer.start(tmp.resolve("data"));
        web = new WebSession(kiln.server.url());
    }

    @AfterEach
    void stop() {
        if (kiln != null) {
            kiln.close();
        }
    }

    /** A hosted repo "churn" with a trigger "dev" (a substitution and a regex a page must escape) and dev pushed; its head. */
    private String hostedRepoWithAPush() throws Exception {
        kiln.api.createRepo(new RepoRequest("churn", null, null, null, null));
        kiln.api.createTrigger(new TriggerView("dev", "churn", "^(dev|<b>x</b>)$", null, false, null, List.of("src/**"),
                List.of("docs/**"), Map.of("_NOTE", "<script>alert(1)</script>"), true, null, false, false, false, null, null));
        kiln.api.createTrigger(new TriggerView("release", "churn", null, "^v", true, "ci/build.yaml", List.of(), List.of(),
                Map.of(), true, null, false, false, true, null, null));
        kiln.api.enableTrigger("release", false);
        Path work = git.init(tmp.resolve("work"), "dev");
        git.signIn(kiln).run(work, "remote", "add", "kiln", kiln.server.url() + "/git/churn.git");
        String sha = git.commit(work, "first", Map.of("build.yaml", BUILD,
                "src/a.txt", "a\n"));
        git.run(work, "push", "-q", "kiln", "dev");
        return sha;
    }

    @Test
    void with_no_repo_the_page_says_how_to_add_one_and_the_nav_links_to_it() throws Exception {
        web.signInAsAdmin(kiln);
        HttpResponse<String> page = web.get("/repos");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("No repo yet", "./kiln repos add NAME", "<a href=\"/repos\">Repos</a>");
        assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow()).contains("script-src 'self'");
        assertThat(page.body()).doesNotContain("<script>", " style=", "onclick");
    }

    @Test
    void a_hosted_repo_shows_its_clone_url_heads_and_triggers_with_their_filters_all_escaped() throws Exception {
        String sha = hostedRepoWithAPush();
        String clone = kiln.server.url() + "/git/churn.git";
        kiln.server.users().add("vera", dev.kiln.server.access.Role.VIEWER, "viewer-password");
        web.signIn("vera", "viewer-password");
        HttpResponse<String> list = web.get("/repos");
        assertThat(list.body()).contains("href=\"/repos/churn\"", "hosted", clone, "data-copy=\"" + clone + "\"",
                "1 branch(es), 0 tag(s), 2 trigger(s)");

        HttpResponse<String> page = web.get("/repos/churn");
        assertThat(page.statusCode()).isEqualTo(200);
        String body = page.body();
        assertThat(body).contains("id=\"clone-url\">" + clone + "<", "data-ref=\"branch:dev\"", sha.substring(0, 7),
                "title=\"" + sha + "\"");
        // The filters of both triggers, and the regex and substitution escaped (a page must not run them).
        assertThat(body).contains("^(dev|&lt;b&gt;x&lt;/b&gt;)$", "_NOTE=&lt;script&gt;alert(1)&lt;/script&gt;", "src/**",
                "docs/**", "ci/build.yaml", "<strong>inverted</strong>", "required: its builds wait in", "disabled",
                "./kiln triggers enable release");
        assertThat(body).doesNotContain("<script>alert", "<b>x</b>");
        // A viewer: no Run form, saying who may run it; the builds of each trigger are a link away.
        assertThat(body).doesNotContain("action=\"/triggers/dev/run\"", "Sign in to run this trigger").contains(
                "Running it needs the developer role on this repo", "href=\"/?trigger=dev\"");
        // Signed in: dev's Run form, filled in with the branch it builds; a disabled trigger has none.
        web.signInAsAdmin(kiln);
        String signed = web.get("/repos/churn").body();
        assertThat(signed).contains("action=\"/triggers/dev/run\"", "name=\"ref\" class=\"run-ref\" value=\"dev\"")
                .doesNotContain("action=\"/triggers/release/run\"");
    }

    @Test
    void an_unknown_repo_or_trigger_is_a_404_page_that_escapes_the_name() throws Exception {
        web.signInAsAdmin(kiln);
        HttpResponse<String> missing = web.get("/repos/nope");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/html");
        assertThat(missing.body()).contains("no repo nope").doesNotContain("Exception", "at dev.");
        HttpResponse<String> hostile = web.get("/repos/%3Cimg%20src=x%20onerror=alert(1)%3E");
        assertThat(hostile.statusCode()).isEqualTo(404);
        assertThat(hostile.body()).contains("no repo &lt;img src=x onerror=alert(1)&gt;").doesNotContain(XSS);

        web.signInAsAdmin(kiln);
        hostedRepoWithAPush();
        String csrf = web.csrf("/repos/churn");
        HttpResponse<String> noTrigger = web.post("/triggers/nope/run", Map.of("csrf", csrf, "kind", "branch", "ref", "dev"));
        assertThat(noTrigger.statusCode()).isEqualTo(404);
        assertThat(noTrigger.body()).contains("no trigger nope").doesNotContain("Exception");
    }

    @Test
    void run_without_the_forms_token_or_from_another_site_is_refused_and_builds_nothing() throws Exception {
        hostedRepoWithAPush();
        web.signInAsAdmin(kiln);
        String csrf = web.csrf("/repos/churn");
        int before = kiln.api.list(50).size();
        Map<String, String> form = Map.of("kind", "branch", "ref", "dev");
        assertThat(web.post("/triggers/dev/run", form).statusCode()).as("no CSRF token").isEqualTo(401);
        assertThat(web.post("/triggers/dev/run", Map.of("csrf", "guess", "kind", "branch", "ref", "dev")).statusCode())
                .as("a wrong CSRF token").isEqualTo(401);
        Map<String, String> good = Map.of("csrf", csrf, "kind", "branch", "ref", "dev");
        assertThat(web.post("/triggers/dev/run", EVIL, true, good).statusCode()).as("from another site").isEqualTo(403);
        assertThat(web.post("/triggers/dev/run", web.base, false, good).statusCode()).as("no session cookie").isEqualTo(401);
        assertThat(web.post("/triggers/dev/run", null, true, good).statusCode()).as("no Origin or Referer").isEqualTo(401);
        assertThat(kiln.api.list(50)).hasSize(before);
    }

    @Test
    void run_builds_the_branch_head_as_triggers_run_does_and_opens_the_new_build() throws Exception {
        String sha = hostedRepoWithAPush();
        web.signInAsAdmin(kiln);
        HttpResponse<String> run = web.post("/triggers/dev/run", Map.of("csrf", web.csrf("/repos/churn"), "kind", "branch",
                "ref", "dev"));
        assertThat(run.statusCode()).isEqualTo(303);
        String location = run.headers().firstValue("Location").orElseThrow();
        assertThat(location).startsWith("/builds/");
        BuildView b = kiln.awaitEnd(location.substring("/builds/".length()), Duration.ofSeconds(60));
        assertThat(b.commitSha()).isEqualTo(sha);
        assertThat(b.cause()).isEqualTo("manual");
        assertThat(b.trigger()).isEqualTo("dev");
        assertThat(b.ref()).isEqualTo("refs/heads/dev");
        assertThat(b.substitutions()).containsEntry("_NOTE", "<script>alert(1)</script>");
        // By SHA too (a prefix, as the CLI takes it).
        HttpResponse<String> bySha = web.post("/triggers/dev/run", Map.of("csrf", web.csrf("/repos/churn"), "kind", "sha",
                "ref", sha.substring(0, 10)));
        assertThat(bySha.statusCode()).isEqualTo(303);
        String id = bySha.headers().firstValue("Location").orElseThrow().substring("/builds/".length());
        assertThat(kiln.api.get(id).commitSha()).isEqualTo(sha);
        kiln.awaitEnd(id, Duration.ofSeconds(60));
    }

    @Test
    void a_refused_run_is_told_beside_its_trigger_escaped_and_without_a_trace() throws Exception {
        hostedRepoWithAPush();
        web.signInAsAdmin(kiln);
        String csrf = web.csrf("/repos/churn");
        int before = kiln.api.list(50).size();

        HttpResponse<String> unknown = web.post("/triggers/dev/run", Map.of("csrf", csrf, "kind", "branch", "ref", XSS));
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("id=\"error-dev\"", "Not run: no branch &lt;img src=x onerror=alert(1)&gt; in repo churn",
                "value=\"&lt;img src=x onerror=alert(1)>\"").doesNotContain(XSS, "Exception", "at dev.");
        // The page is the repo's page still, with its forms: the user can correct the name and run again.
        assertThat(unknown.body()).contains("data-ref=\"branch:dev\"", "action=\"/triggers/dev/run\"");

        HttpResponse<String> noSha = web.post("/triggers/dev/run", Map.of("csrf", csrf, "kind", "sha", "ref", "zz"));
        assertThat(noSha.statusCode()).isEqualTo(400);
        assertThat(noSha.body()).contains("zz", "is not a commit id (4 to 40 hex digits)");
        HttpResponse<String> empty = web.post("/triggers/dev/run", Map.of("csrf", csrf, "kind", "tag", "ref", " "));
        assertThat(empty.statusCode()).isEqualTo(400);
        assertThat(empty.body()).contains("name the tag to build");
        HttpResponse<String> kind = web.post("/triggers/dev/run", Map.of("csrf", csrf, "kind", "<x>", "ref", "dev"));
        assertThat(kind.statusCode()).isEqualTo(400);
        assertThat(kind.body()).contains("choose what to build").doesNotContain("<x>");
        HttpResponse<String> disabled = web.post("/triggers/release/run", Map.of("csrf", csrf, "kind", "tag", "ref", "v1"));
        assertThat(disabled.statusCode()).isEqualTo(400);
        assertThat(disabled.body()).contains("trigger release is disabled");
        assertThat(kiln.api.list(50)).hasSize(before);
    }

    @Test
    void a_mirror_shows_its_remote_webhook_url_polling_and_its_last_error() throws Exception {
        Path remote = Files.createDirectories(tmp.resolve("remote.git"));
        git.run(remote, "init", "-q", "--bare", "-b", "main");
        Path work = git.init(tmp.resolve("upstream-work"), "main");
        String sha = git.commit(work, "upstream", Map.of("a.txt", "a\n"));
        git.run(work, "push", "-q", remote.toString(), "main");
        kiln.api.createRepo(new RepoRequest("upstream", "file://" + remote, "1h", null, null, "a-webhook-secret", null, null,
                null, null));
        kiln.api.createRepo(new RepoRequest("gone", "file://" + tmp.resolve("missing.git"), "1h", null, null));
        String hook = web.base + "/hooks/upstream";
        web.signInAsAdmin(kiln);

        String up = web.get("/repos/upstream").body();
        assertThat(up).contains("mirrored", "id=\"remote-url\">file://" + remote + "<", "id=\"webhook-url\">" + hook + "<",
                "data-copy=\"" + hook + "\"", "secret set", "every ", "data-ref=\"branch:main\"", sha.substring(0, 7),
                "id=\"last-success\"><time datetime=").doesNotContain("id=\"poll-error\"", "a-webhook-secret");
        String gone = web.get("/repos/gone").body();
        assertThat(gone).contains("id=\"poll-error\"", "no secret set", "id=\"last-success\">never", "id=\"no-heads\"");
        assertThat(web.get("/repos").body()).contains("poll failing", "href=\"/repos/upstream\"");
    }
}
