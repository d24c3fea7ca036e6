package dev.kiln.server.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiln.spec.api.BuildView;
import dev.kiln.spec.api.RepoRequest;
import dev.kiln.spec.api.RepoView;
import dev.kiln.spec.api.TriggerView;
import dev.kiln.spec.protocol.Status;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A mirror over HTTP polled every second by the real server: what polling alone builds, beside webhooks and a dead remote. */
class PollingTest {
    @TempDir Path tmp;
    Forges f;

    @BeforeEach
    void start() throws Exception {
        f = new Forges(tmp, "1s");
        f.kiln.api.createTrigger(new TriggerView("dev-push", "churn", "^dev$", null, false, null, List.of(), List.of(),
                Map.of(), true, null));
    }

    @AfterEach
    void stop() throws Exception {
        if (f != null) {
            f.close();
        }
    }

    private List<BuildView> awaitBuilds(int n) throws Exception {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> f.builds().size() >= n);
        return f.builds();
    }

    @Test
    void polling_alone_builds_exactly_the_pushed_commit_to_success() throws Exception {
        String sha = f.commit("polled");
        f.pushQuietly("dev");

        BuildView b = awaitBuilds(1).get(0);
        assertThat(b).extracting(BuildView::commitSha, BuildView::cause, BuildView::trigger)
                .containsExactly(sha, "poll", "dev-push");
        BuildView ended = f.kiln.awaitEnd(b.id(), Duration.ofSeconds(60));
        assertThat(ended.status()).isEqualTo(Status.SUCCESS);
        assertThat(f.kiln.logText(b.id(), 0)).contains("sha=" + sha).contains("polled");
        RepoView repo = f.kiln.api.repo("churn");
        assertThat(repo.lastPollError()).isNull();
        assertThat(repo.nextPollTime()).isAfter(repo.lastPollTime());
    }

    @Test
    void a_poll_and_a_webhook_that_see_one_push_build_it_once() throws Exception {
        f.installPostReceiveHook();
        String first = f.commit("one");
        f.push("dev");   // the webhook fetches it
        String second = f.commit("two");
        f.pushQuietly("dev");   // the poll fetches it, then its webhook arrives late
        awaitBuilds(2);
        assertThat(f.github("push", Forges.pushBody("refs/heads/dev", second)).body()).contains("fetched already");

        Instant seen = f.kiln.api.repo("churn").lastPollTime();
        await().atMost(Duration.ofSeconds(10)).until(() -> f.kiln.api.repo("churn").lastPollTime().isAfter(seen));
        // One build each: the first by its webhook (or by a poll that came between the push and the hook), the
        // second by the poll; the late webhook and the polls after found nothing new.
        assertThat(f.builds()).extracting(BuildView::commitSha).containsExactly(second, first);
        assertThat(f.builds().get(0).cause()).isEqualTo("poll");
    }

    @Test
    void an_unreachable_remote_shows_its_error_the_others_keep_polling_and_no_thread_leaks() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        f.kiln.api.createRepo(new RepoRequest("dead", "http://127.0.0.1:" + port + "/gone.git", "1s", null, null));
        long pollThreads = pollThreads();
        int before = Thread.activeCount();
        for (int i = 1; i <= 3; i++) {
            String sha = f.commit("round " + i);
            f.pushQuietly("dev");
            assertThat(awaitBuilds(i).get(0).commitSha()).isEqualTo(sha);
        }
        RepoView dead = f.kiln.api.repo("dead");
        assertThat(dead.lastPollError()).contains("ls-remote of http://127.0.0.1:" + port);
        assertThat(dead.lastSuccessTime()).isNull();
        assertThat(dead.pollFailures()).isGreaterThanOrEqualTo(1);
        assertThat(dead.nextPollTime()).isAfter(dead.lastPollTime().plusSeconds(1));   // backing off
        assertThat(pollThreads()).isLessThanOrEqualTo(4).isGreaterThanOrEqualTo(pollThreads);
        assertThat(Thread.activeCount()).isLessThanOrEqualTo(before + 8);
    }

    private static long pollThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("kiln-poll-")).count();
    }
}
