package dev.kiln.server.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.agent.client.ApiClient;
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
                Map.of(), true, null, true, commentControl, false, null, null));
    }

    static TriggerView prTrigger(String name, boolean approval, String schedule) {
        return new TriggerView(name, "churn", "^dev$", null, false, null, List.of(), List.of(), Map.of(), true, null,
                true, false, approval, schedule, null);
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

    @Test
    void a_retried_pull_request_build_builds_with_the_same_pull_request_substitutions() throws Exception {
        trigger("pr-dev", false);
        String head = openOnForge("refs/pull/7/head", "feature-one");
        f.github("pull_request", githubPr("opened", 7, head, "dev", "OWNER"));
        BuildView first = f.kiln.awaitEnd(f.builds().get(0).id(), Duration.ofSeconds(60));
        assertThat(first.status()).isEqualTo(Status.SUCCESS);

        BuildView again = f.kiln.api.retry(first.id());

        assertThat(again.retryOf()).isEqualTo(first.id());
        assertThat(again).extracting(BuildView::commitSha, BuildView::cause, BuildView::trigger)
                .containsExactly(head, "pull_request", "pr-dev");
        BuildView done = f.kiln.awaitEnd(again.id(), Duration.ofSeconds(60));
        String log = f.kiln.logText(done.id(), 0);
        assertThat(done.status()).as(log).isEqualTo(Status.SUCCESS);
        assertThat(log).contains("sha=" + head).contains("pr=7 head=feature base=dev url=" + FORK);
    }

    @Test
    void a_pull_request_build_of_an_approval_required_trigger_waits_in_pending_until_approved() throws Exception {
        f.kiln.api.createTrigger(prTrigger("pr-gated", true, null));
        String head = openOnForge("refs/pull/2/head", "gated");

        RawHttp.Response r = f.github("pull_request", githubPr("opened", 2, head, "dev", "OWNER"));

        assertThat(r.body()).contains("pr-gated: build ").contains(" waits for approval for pull request 2");
        BuildView pending = f.builds().get(0);
        assertThat(pending.status()).isEqualTo(Status.PENDING);
        assertThat(pending.statusDetail()).contains("waiting for approval");
        assertThat(f.kiln.api.get(pending.id()).status()).as("no agent takes it meanwhile").isEqualTo(Status.PENDING);

        f.kiln.api.approve(pending.id(), "looked at the diff");
        BuildView done = f.kiln.awaitEnd(pending.id(), Duration.ofSeconds(60));
        assertThat(done.status()).isEqualTo(Status.SUCCESS);
        assertThat(f.kiln.logText(done.id(), 0)).contains("pr=2 head=feature base=dev");
    }

    @Test
    void a_trigger_with_both_a_schedule_and_pull_request_is_refused_with_the_reason() throws Exception {
        assertThatThrownBy(() -> f.kiln.api.createTrigger(prTrigger("pr-nightly", false, "0 3 * * *")))
                .isInstanceOf(ApiClient.ApiException.class)
                .hasMessageContaining("a pull-request trigger builds pull requests, not a branch on a schedule")
                .satisfies(e -> assertThat(((ApiClient.ApiException) e).error().status()).isEqualTo(400));
        assertThat(f.kiln.api.triggers()).isEmpty();
    }
}
