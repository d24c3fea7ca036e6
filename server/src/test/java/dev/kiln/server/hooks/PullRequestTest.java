package dev.kiln.server.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.server.support.RawHttp;
import dev.kiln.spec.api.BuildView;
import dev.kiln.spec.api.TriggerView;
import dev.kiln.spec.protocol.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pull requests from webhooks: the server fetches the request's head from the forge
 * ({@code refs/pull/N/head}, GitLab's {@code refs/merge-requests/N/head}) and builds it with the
 * pull-request built-ins; comment control holds a non-collaborator's until a collaborator's
 * {@code /kiln run}. Payloads follow GitHub's and GitLab's documented shapes, trimmed.
 */
class PullRequestTest {
    static final String FORK = "https://github.com/eve/churn.git";

    @TempDir Path tmp;
    Forges f;

    @BeforeEach
    void start() throws Exception {
        f = new Forges(tmp, "1h");
    }

    @AfterEach
    void stop() throws Exception {
        if (f != null) {
            f.close();
        }
    }

    private void trigger(String name, boolean commentControl) throws Exception {
        f.kiln.api.createTrigger(new TriggerView(name, "churn", "^dev$", null, false, null, List.of(), List.of(),
                Map.of(), true, null, true, commentControl));
    }

    /** Commits on a feature branch and puts it where the forge keeps pull request {@code n}'s head. */
    private String openOnForge(String ref, String data) throws Exception {
        f.git.run(f.work, "checkout", "-q", "-B", "feature");
        String sha = f.commit(data);
        f.pushQuietly("feature:" + ref);
        f.git.run(f.work, "checkout", "-q", "dev");
        return sha;
    }

    static String githubPr(String action, int n, String sha, String base, String association) {
        return """
                {"action":"%s","number":%d,"pull_request":{"number":%d,"user":{"login":"eve"},
                 "author_association":"%s","head":{"ref":"feature","sha":"%s","repo":{"clone_url":"%s"}},
                 "base":{"ref":"%s","repo":{"clone_url":"https://github.com/team/churn.git"}}}}"""
                .formatted(action, n, n, association, sha, FORK, base);
    }

    static String githubComment(int n, String body, String association) {
        return """
                {"action":"created","issue":{"number":%d,"pull_request":{"url":"x"}},
                 "comment":{"body":"%s","user":{"login":"ada"},"author_association":"%s"}}""".formatted(n, body, association);
    }

    @Test
    void a_pull_request_opened_builds_its_head_with_the_pull_request_substitutions() throws Exception {
        trigger("pr-dev", false);
        f.kiln.api.createTrigger(new TriggerView("dev-push", "churn", "^dev$", null, false, null, List.of(), List.of(),
                Map.of(), true, null));
        String head = openOnForge("refs/pull/7/head", "feature-one");

        RawHttp.Response r = f.github("pull_request", githubPr("opened", 7, head, "dev", "CONTRIBUTOR"));

        assertThat(r.status()).as(r.body()).isEqualTo(200);
        List<BuildView> builds = f.builds();
        assertThat(builds).extracting(BuildView::trigger, BuildView::commitSha, BuildView::cause, BuildView::ref)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("pr-dev", head, "pull_request", "refs/pull/7/head"));
        BuildView b = f.kiln.awaitEnd(builds.get(0).id(), Duration.ofSeconds(60));
        String log = f.kiln.logText(b.id(), 0);
        assertThat(b.status()).as(log).isEqualTo(Status.SUCCESS);
        assertThat(log).contains("sha=" + head).contains("pr=7 head=feature base=dev url=" + FORK).contains("feature-one");

        // The same delivery again builds nothing; a request into another base builds nothing.
        assertThat(f.github("pull_request", githubPr("opened", 7, head, "dev", "CONTRIBUTOR")).body())
                .contains("handled already");
        String other = openOnForge("refs/pull/8/head", "into-main");
        assertThat(f.github("pull_request", githubPr("opened", 8, other, "main", "OWNER")).body())
                .contains("no pull-request trigger of churn builds into main");
        assertThat(f.github("pull_request", githubPr("closed", 7, head, "dev", "OWNER")).body()).contains("builds nothing");
        assertThat(f.builds()).hasSize(1);

        // New commits on the request: its new head, fetched by the server whatever the payload says.
        String next = openOnForge("refs/pull/7/head", "feature-two");
        RawHttp.Response sync = f.github("pull_request", githubPr("synchronize", 7, head, "dev", "CONTRIBUTOR"));
        assertThat(sync.body()).contains("payload named " + head + ", refs/pull/7/head is at " + next + "; building " + next);
        assertThat(f.builds().get(0).commitSha()).isEqualTo(next);
        assertThat(f.builds()).hasSize(2);
    }

    @Test
    void comment_control_holds_a_non_collaborator_s_request_until_a_collaborator_comments_kiln_run() throws Exception {
        trigger("pr-dev", true);
        String head = openOnForge("refs/pull/3/head", "from-a-stranger");

        RawHttp.Response opened = f.github("pull_request", githubPr("opened", 3, head, "dev", "FIRST_TIME_CONTRIBUTOR"));
        assertThat(opened.body()).contains("pr-dev: waits for a collaborator to comment '/kiln run'");
        assertThat(f.builds()).isEmpty();

        assertThat(f.github("issue_comment", githubComment(3, "looks good", "MEMBER")).body()).contains("starts nothing");
        assertThat(f.github("issue_comment", githubComment(3, "/kiln run", "NONE")).body())
                .contains("only a collaborator's starts builds");
        assertThat(f.builds()).isEmpty();

        RawHttp.Response run = f.github("issue_comment", githubComment(3, "/kiln run", "MEMBER"));
        assertThat(run.status()).isEqualTo(200);
        assertThat(f.builds()).extracting(BuildView::commitSha, BuildView::cause).containsExactly(
                org.assertj.core.groups.Tuple.tuple(head, "pull_request"));
        assertThat(f.kiln.awaitEnd(f.builds().get(0).id(), Duration.ofSeconds(60)).status()).isEqualTo(Status.SUCCESS);
        assertThat(f.github("issue_comment", githubComment(3, "/kiln run", "OWNER")).body()).contains("no build waiting");
        assertThat(f.builds()).hasSize(1);

        // A collaborator's own request builds at once.
        String own = openOnForge("refs/pull/4/head", "from-the-team");
        f.github("pull_request", githubPr("opened", 4, own, "dev", "COLLABORATOR"));
        assertThat(f.builds().get(0).commitSha()).isEqualTo(own);
    }

    @Test
    void a_gitlab_merge_request_from_a_fork_waits_and_one_from_the_project_builds() throws Exception {
        trigger("mr-dev", true);
        String fork = openOnForge("refs/merge-requests/5/head", "fork");
        String mr = """
                {"object_kind":"merge_request","user":{"username":"%s"},"object_attributes":{"iid":%d,"action":"open",
                 "source_branch":"feature","target_branch":"dev","source_project_id":%d,"target_project_id":1,
                 "source":{"git_http_url":"%s"},"last_commit":{"id":"%s"}}}""";
        assertThat(f.gitlab("Merge Request Hook", mr.formatted("eve", 5, 2, FORK, fork)).body()).contains("waits");
        assertThat(f.builds()).isEmpty();
        String own = openOnForge("refs/merge-requests/6/head", "own");
        f.gitlab("Merge Request Hook", mr.formatted("ada", 6, 1, "https://gitlab.example/team/churn.git", own));
        assertThat(f.builds()).extracting(BuildView::commitSha, BuildView::ref).containsExactly(
                org.assertj.core.groups.Tuple.tuple(own, "refs/merge-requests/6/head"));
    }
}
