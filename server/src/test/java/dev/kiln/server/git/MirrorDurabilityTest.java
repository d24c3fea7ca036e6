package dev.kiln.server.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kiln.server.store.Database;
import dev.kiln.server.store.Provenance;
import dev.kiln.server.support.GitCli;
import dev.kiln.server.support.TestServer;
import dev.kiln.server.triggers.RefUpdateLog;
import dev.kiln.spec.api.BuildView;
import dev.kiln.spec.api.RepoRequest;
import dev.kiln.spec.api.TriggerView;
import dev.kiln.spec.protocol.Status;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "A push accepted is a build promised", for mirrors: the server stops in the middle of a fetch
 * (the test stops it by throwing from the point where the fetch hands over what moved, the place a
 * kill would hit between fetching and recording) and the next start still builds the push, once.
 * The remote is a bare repo on disk; the server is real, stopped and started on the same data.
 */
class MirrorDurabilityTest {
    /** What a server that dies at that instant leaves: nothing after this point runs. */
    static final class Stop extends RuntimeException {
        Stop() {
            super("the server stopped here");
        }
    }

    @TempDir Path tmp;
    GitCli git;
    Path data;
    Path work;
    Path upstream;
    String first;

    @BeforeEach
    void mirror() throws Exception {
        git = GitCli.in(tmp);
        data = tmp.resolve("data");
        upstream = tmp.resolve("upstream.git");
        git.run(tmp, "init", "-q", "--bare", "-b", "main", upstream.toString());
        work = git.init(tmp.resolve("work"), "dev");
        first = git.commit(work, "one", Map.of("build.yaml", "steps:\n  - args: [sh, -c, 'echo built $COMMIT_SHA']\n"));
        git.run(work, "push", "-q", upstream.toString(), "dev");
        try (TestServer kiln = TestServer.start(data)) {
            kiln.api.createRepo(new RepoRequest("churn", upstream.toUri().toString(), "1s", null, null));
            kiln.api.createTrigger(new TriggerView("dev-push", "churn", "^dev$", null, false, null, List.of(), List.of(),
                    Map.of(), true, null));
        }
    }

    /** Pushes a new commit to the remote while the server is down, then fetches it with {@code listener} until it stops. */
    private String pushThenStopInTheFetch(Database db, RefListener listener) throws Exception {
        String sha = git.commit(work, "two", Map.of("data.txt", "2\n"));
        git.run(work, "push", "-q", upstream.toString(), "dev");
        Repos repos = new Repos(db, data.resolve("git"), Clock.systemUTC());
        assertThatThrownBy(() -> repos.fetch("churn", Provenance.Cause.POLL, (repo, updates, cause) -> {
            listener.accept(repo, updates, cause);
            throw new Stop();
        })).hasRootCauseInstanceOf(Stop.class);
        // The objects are in the mirror, its branch has not moved: nothing shows a push that is not recorded.
        assertThat(repos.heads("churn")).containsEntry("refs/heads/dev", first);
        try (var mirror = repos.open("churn")) {
            assertThat(mirror.getObjectDatabase().has(org.eclipse.jgit.lib.ObjectId.fromString(sha))).isTrue();
        }
        return sha;
    }

    /** Starts the server on the same data, waits for a poll after the start, and returns the builds then. */
    private List<BuildView> restartAndPoll(TestServer kiln) throws Exception {
        Instant started = Instant.now();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
            Instant polled = kiln.api.repo("churn").lastPollTime();
            return polled != null && polled.isAfter(started);
        });
        return kiln.api.list(10);
    }

    private static void builtOnce(TestServer kiln, List<BuildView> builds, String sha) throws Exception {
        assertThat(builds).extracting(BuildView::commitSha, BuildView::trigger, BuildView::cause, BuildView::ref)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(sha, "dev-push", "poll", "refs/heads/dev"));
        BuildView b = kiln.awaitEnd(builds.get(0).id(), Duration.ofSeconds(60));
        assertThat(b.status()).isEqualTo(Status.SUCCESS);
        assertThat(kiln.logText(b.id(), 0)).contains("built " + sha);
        assertThat(kiln.api.repo("churn").heads()).containsEntry("refs/heads/dev", sha);
    }

    @Test
    void a_stop_after_the_moves_are_recorded_and_before_the_mirror_shows_them_builds_at_the_next_start() throws Exception {
        String sha;
        try (Database db = Database.open(Database.h2Url(data), null, null)) {
            RefUpdateLog log = new RefUpdateLog(db);
            sha = pushThenStopInTheFetch(db, (repo, updates, cause) -> {
                log.record(repo, updates, cause, System.currentTimeMillis());
                return undone -> List.of();
            });
        }

        try (TestServer kiln = TestServer.start(data)) {
            builtOnce(kiln, restartAndPoll(kiln), sha);   // the start finished the move; the poll after it found nothing new
        }
        try (TestServer kiln = TestServer.start(data)) {
            assertThat(restartAndPoll(kiln)).hasSize(1);
        }
    }

    @Test
    void a_stop_after_the_fetch_and_before_anything_is_recorded_leaves_the_push_for_the_next_poll() throws Exception {
        String sha;
        try (Database db = Database.open(Database.h2Url(data), null, null)) {
            sha = pushThenStopInTheFetch(db, (repo, updates, cause) -> undone -> List.of());
        }

        try (TestServer kiln = TestServer.start(data)) {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> !kiln.api.list(10).isEmpty());
            builtOnce(kiln, kiln.api.list(10), sha);
            assertThat(restartAndPoll(kiln)).hasSize(1);
        }
    }
}
