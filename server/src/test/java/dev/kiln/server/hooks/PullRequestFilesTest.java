package dev.kiln.server.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.server.support.RawHttp;
import dev.kiln.spec.api.BuildView;
import dev.kiln.spec.api.TriggerView;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pull-request trigger's includedFiles / ignoredFiles, as Cloud Build applies them to a pull
 * request: on the files its head changes since the merge base with the base branch, so a commit
 * pushed to the base after the request branched off does not count as the request's change.
 */
class PullRequestFilesTest {
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

    private void trigger(String name, List<String> included, List<String> ignored) throws Exception {
        f.kiln.api.createTrigger(new TriggerView(name, "churn", "^dev$", null, false, null, included, ignored, Map.of(),
                true, null, true, false, false, null, null));
    }

    @Test
    void included_and_ignored_files_are_matched_on_what_the_request_changes_since_its_merge_base() throws Exception {
        trigger("pr-src", List.of("src/**"), List.of());
        trigger("pr-not-docs", List.of(), List.of("docs/**"));
        f.git.run(f.work, "checkout", "-q", "-b", "feature");
        String docsOnly = f.git.commit(f.work, "docs", Map.of("docs/guide.md", "how to\n"));
        // Meanwhile the base branch moves on with a change under src/, and the mirror has it.
        f.git.run(f.work, "checkout", "-q", "dev");
        String base = f.git.commit(f.work, "model on dev", Map.of("src/model.py", "print('dev')\n"));
        f.pushQuietly("dev", "feature:refs/pull/9/head");
        assertThat(f.github("push", Forges.pushBody("refs/heads/dev", base)).status()).isEqualTo(200);
        assertThat(f.builds()).isEmpty();

        RawHttp.Response docs = f.github("pull_request", PullRequestTest.githubPr("opened", 9, docsOnly, "dev", "OWNER"));

        assertThat(docs.status()).as(docs.body()).isEqualTo(200);
        assertThat(docs.body())
                .contains("pr-src: no build, no file pull request 9 changes passes its includedFiles/ignoredFiles")
                .contains("pr-not-docs: no build, no file pull request 9 changes passes its includedFiles/ignoredFiles");
        assertThat(f.builds()).isEmpty();

        f.git.run(f.work, "checkout", "-q", "feature");
        String code = f.git.commit(f.work, "training code", Map.of("src/train.py", "print('train')\n"));
        f.git.run(f.work, "checkout", "-q", "dev");
        f.pushQuietly("feature:refs/pull/9/head");

        RawHttp.Response src = f.github("pull_request", PullRequestTest.githubPr("synchronize", 9, code, "dev", "OWNER"));

        assertThat(src.body()).contains("pr-src: build ").contains("pr-not-docs: build ");
        assertThat(f.builds()).extracting(BuildView::trigger, BuildView::commitSha).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple("pr-src", code), org.assertj.core.groups.Tuple.tuple("pr-not-docs", code));
    }
}
