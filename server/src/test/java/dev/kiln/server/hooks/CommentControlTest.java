package dev.kiln.server.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
 * Comment control on forges whose payloads carry no role (GitLab, Gitea): a trigger's own list of
 * collaborators says who may run a pull request's builds, and overrides the forge's word on
 * GitHub too. Payloads follow each forge's documented shape, trimmed to the fields Kiln reads.
 */
class CommentControlTest {
    static final String FORK = PullRequestTest.FORK;
    static final String GITLAB_MR = """
            {"object_kind":"merge_request","user":{"username":"%s"},"object_attributes":{"iid":%d,"action":"open",
             "source_branch":"feature","target_branch":"dev","source_project_id":%d,"target_project_id":1,
             "source":{"git_http_url":"%s"},"last_commit":{"id":"%s"}}}""";
    static final String GITLAB_NOTE = """
            {"object_kind":"note","user":{"username":"%s"},"object_attributes":{"note":"%s","noteable_type":"MergeRequest"},
             "merge_request":{"iid":%d}}""";
    static final String GITEA_PR = """
            {"action":"opened","number":%d,"pull_request":{"number":%d,"user":{"login":"%s"},
             "head":{"ref":"feature","sha":"%s","repo":{"id":%d,"clone_url":"%s"}},"base":{"ref":"dev","repo":{"id":1}}}}""";
    static final String GITEA_COMMENT = """
            {"action":"created","is_pull":true,"issue":{"number":%d},"comment":{"body":"%s","user":{"login":"%s"}}}""";

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

    private void trigger(String name, List<String> collaborators) throws Exception {
        f.kiln.api.createTrigger(new TriggerView(name, "churn", "^dev$", null, false, null, List.of(), List.of(), Map.of(),
                true, null, true, true, false, null, null, collaborators));
    }

    private String openOnForge(String ref, String data) throws Exception {
        f.git.run(f.work, "checkout", "-q", "-B", "feature");
        String sha = f.commit(data);
        f.pushQuietly("feature:" + ref);
        f.git.run(f.work, "checkout", "-q", "dev");
        return sha;
    }

    @Test
    void on_gitlab_a_non_collaborator_s_merge_request_waits_until_a_listed_collaborator_comments_kiln_run() throws Exception {
        trigger("mr-dev", List.of("ada", "Grace"));
        assertThat(f.kiln.api.trigger("mr-dev").collaborators()).containsExactly("ada", "Grace");
        // From a branch of the project itself, which GitLab alone would take for a collaborator's: the list decides.
        String head = openOnForge("refs/merge-requests/5/head", "from-eve");
        assertThat(f.gitlab("Merge Request Hook", GITLAB_MR.formatted("eve", 5, 1, FORK, head)).body())
                .contains("mr-dev: waits for a collaborator to comment '/kiln run' (eve is not one)");
        assertThat(f.gitlab("Note Hook", GITLAB_NOTE.formatted("eve", "/kiln run", 5)).body())
                .contains("'/kiln run' by eve ignored: only a collaborator's starts builds");
        assertThat(f.builds()).isEmpty();

        assertThat(f.gitlab("Note Hook", GITLAB_NOTE.formatted("grace", "/kiln run", 5)).body()).contains("mr-dev: build ");
        assertThat(f.builds()).extracting(BuildView::commitSha, BuildView::ref, BuildView::cause).containsExactly(
                org.assertj.core.groups.Tuple.tuple(head, "refs/merge-requests/5/head", "pull_request"));
        assertThat(f.kiln.awaitEnd(f.builds().get(0).id(), Duration.ofSeconds(60)).status()).isEqualTo(Status.SUCCESS);

        // A listed collaborator's own request, even from a fork, builds at once.
        String own = openOnForge("refs/merge-requests/6/head", "from-ada");
        assertThat(f.gitlab("Merge Request Hook", GITLAB_MR.formatted("ada", 6, 2, FORK, own)).body()).contains("mr-dev: build ");
        assertThat(f.builds()).hasSize(2);
    }

    @Test
    void on_gitea_a_non_collaborator_s_kiln_run_starts_nothing_and_a_listed_collaborator_s_builds() throws Exception {
        trigger("pr-dev", List.of("ada"));
        String head = openOnForge("refs/pull/4/head", "from-eve");
        assertThat(f.gitea("pull_request", GITEA_PR.formatted(4, 4, "eve", head, 2, FORK)).body()).contains("waits");
        assertThat(f.gitea("issue_comment", GITEA_COMMENT.formatted(4, "/kiln run", "eve")).body())
                .contains("only a collaborator's starts builds");
        assertThat(f.builds()).isEmpty();

        assertThat(f.gitea("issue_comment", GITEA_COMMENT.formatted(4, "/kiln run", "ada")).body()).contains("pr-dev: build ");
        assertThat(f.builds()).extracting(BuildView::commitSha).containsExactly(head);
    }

    @Test
    void on_github_the_list_overrides_author_association_and_bad_lists_are_refused() throws Exception {
        trigger("pr-dev", List.of("grace"));
        String head = openOnForge("refs/pull/3/head", "from-a-member");
        // eve is a MEMBER and ada an OWNER by GitHub's word, but neither is on the trigger's list.
        assertThat(f.github("pull_request", PullRequestTest.githubPr("opened", 3, head, "dev", "MEMBER")).body())
                .contains("pr-dev: waits for a collaborator to comment '/kiln run' (eve is not one)");
        assertThat(f.github("issue_comment", PullRequestTest.githubComment(3, "/kiln run", "OWNER")).body())
                .contains("'/kiln run' by ada ignored");
        assertThat(f.builds()).isEmpty();

        assertThatThrownBy(() -> f.kiln.api.createTrigger(new TriggerView("t", "churn", "^dev$", null, false, null,
                List.of(), List.of(), Map.of(), true, null, true, false, false, null, null, List.of("ada"))))
                .hasMessageContaining("collaborators are for comment control");
        assertThatThrownBy(() -> trigger("t", List.of("ada lovelace")))
                .hasMessageContaining("collaborator 'ada lovelace' is not a user name");
        assertThat(f.kiln.api.triggers()).extracting(TriggerView::name).containsExactly("pr-dev");
    }
}
