package dev.kiln.server.git.poll;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiln.server.git.RefUpdate;
import dev.kiln.server.git.Repos;
import dev.kiln.server.store.Database;
import dev.kiln.server.store.Provenance;
import dev.kiln.server.support.GitCli;
import dev.kiln.spec.api.RepoRequest;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The poller against real repos on disk, with a clock the test moves: what is polled when, and how failures back off. */
class PollerTest {
    record Moved(String repo, List<RefUpdate> updates, Provenance.Cause cause) {}

    static final class TestClock extends Clock {
        final AtomicLong now = new AtomicLong(1_000_000_000_000L);

        @Override
        public long millis() {
            return now.get();
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(now.get());
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        void advance(Duration d) {
            now.addAndGet(d.toMillis());
        }
    }

    @TempDir Path tmp;
    GitCli git;
    Database db;
    Repos repos;
    TestClock clock = new TestClock();
    List<Moved> moved = new CopyOnWriteArrayList<>();

    @BeforeEach
    void open() throws Exception {
        git = GitCli.in(tmp);
        db = Database.open(Database.h2Url(tmp.resolve("data")), null, null);
        repos = new Repos(db, tmp.resolve("data/git"), clock);
    }

    @AfterEach
    void close() {
        db.close();
    }

    private Poller poller(Backoff backoff, int timeoutSeconds) {
        return new Poller(repos, (repo, updates, cause) -> {
            moved.add(new Moved(repo, updates, cause));
            return undone -> List.of();
        }, clock, backoff, timeoutSeconds);
    }

    private Path upstream(String name) throws Exception {
        Path up = tmp.resolve(name);
        git.run(tmp, "init", "-q", "--bare", "-b", "main", up.toString());
        return up;
    }

    @Test
    void backoff_doubles_from_the_interval_up_to_ten_minutes_and_never_below_the_interval() {
        Backoff b = Backoff.DEFAULT;
        Duration ten = Duration.ofSeconds(10);
        assertThat(List.of(0, 1, 2, 3, 6, 7, 50).stream().map(n -> b.delay(ten, n).toSeconds()).toList())
                .containsExactly(10L, 20L, 40L, 80L, 600L, 600L, 600L);
        assertThat(b.delay(Duration.ofMinutes(30), 3)).isEqualTo(Duration.ofMinutes(30));
    }

    @Test
    void a_poll_fetches_only_when_ls_remote_sees_a_ref_move_and_hands_those_moves_on() throws Exception {
        Path up = upstream("up.git");
        Path work = git.init(tmp.resolve("work"), "dev");
        String one = git.commit(work, "one", Map.of("a", "1"));
        git.run(work, "push", "-q", up.toString(), "dev");
        repos.create(new RepoRequest("m", up.toUri().toString(), "10s", null, null));
        Poller p = poller(Backoff.DEFAULT, 5);

        p.tick(Runnable::run);
        assertThat(p.state("m")).get().extracting(Poller.State::nextDue).isEqualTo(clock.millis() + 10_000);
        clock.advance(Duration.ofSeconds(10));
        p.tick(Runnable::run);
        assertThat(moved).isEmpty();   // nothing moved: ls-remote only, no fetch, no build
        assertThat(repos.get("m").lastPollTime()).isEqualTo(clock.millis());

        String two = git.commit(work, "two", Map.of("a", "2"));
        git.run(work, "push", "-q", up.toString(), "dev");
        clock.advance(Duration.ofSeconds(9));
        p.tick(Runnable::run);
        assertThat(moved).isEmpty();   // not due yet
        clock.advance(Duration.ofSeconds(1));
        p.tick(Runnable::run);
        assertThat(moved).containsExactly(new Moved("m", List.of(new RefUpdate("refs/heads/dev", one, two)),
                Provenance.Cause.POLL));
    }

    @Test
    void failures_back_off_doubling_to_ten_minutes_and_the_first_success_resets_the_interval() throws Exception {
        Path later = tmp.resolve("later.git");   // not there yet: every poll fails
        repos.create(new RepoRequest("m", later.toUri().toString(), "10s", null, null));
        Poller p = poller(Backoff.DEFAULT, 5);
        p.tick(Runnable::run);
        long[] expected = {20, 40, 80, 160, 320, 600, 600};
        for (int i = 0; i < expected.length; i++) {
            Poller.State s = p.state("m").orElseThrow();
            clock.now.set(s.nextDue() - 1);
            p.tick(Runnable::run);
            assertThat(p.state("m").orElseThrow().failures()).as("not due a millisecond early").isEqualTo(i);
            clock.advance(Duration.ofMillis(1));
            p.tick(Runnable::run);
            assertThat(p.state("m").orElseThrow()).isEqualTo(new Poller.State(clock.millis() + expected[i] * 1000, i + 1, false));
        }
        assertThat(repos.get("m").lastPollError()).contains("ls-remote of").contains("later.git");
        assertThat(repos.get("m").lastSuccessTime()).isNull();

        upstream("later.git");
        clock.now.set(p.state("m").orElseThrow().nextDue());
        p.tick(Runnable::run);
        assertThat(p.state("m").orElseThrow()).isEqualTo(new Poller.State(clock.millis() + 10_000, 0, false));
        assertThat(repos.get("m").lastPollError()).isNull();
        assertThat(repos.get("m").lastSuccessTime()).isEqualTo(clock.millis());
    }

    @Test
    void a_remote_that_never_answers_holds_one_thread_until_its_timeout_while_the_others_are_polled() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        repos.create(new RepoRequest("silent", "http://127.0.0.1:" + port + "/x.git", "10s", null, null));
        Path up = upstream("up.git");
        Path work = git.init(tmp.resolve("work"), "dev");
        git.commit(work, "one", Map.of("a", "1"));
        for (int i = 0; i < 6; i++) {
            repos.create(new RepoRequest("good" + i, up.toUri().toString(), "10s", null, null));
        }
        git.run(work, "push", "-q", up.toString(), "dev");
        ExecutorService pool = Executors.newFixedThreadPool(Poller.THREADS);
        // It accepts connections and never says a word.
        try (ServerSocket silent = new ServerSocket(port, 50, InetAddress.getLoopbackAddress())) {
            Poller p = poller(Backoff.DEFAULT, 4);
            clock.advance(Duration.ofSeconds(10));
            p.tick(pool);
            await().atMost(Duration.ofSeconds(3)).until(() -> moved.size() == 6);
            assertThat(p.state("silent").orElseThrow().running()).isTrue();
            await().atMost(Duration.ofSeconds(15)).until(() -> !p.state("silent").orElseThrow().running());
            assertThat(p.state("silent").orElseThrow().failures()).isEqualTo(1);
            assertThat(repos.get("silent").lastPollError()).contains("ls-remote of http://127.0.0.1:" + port);
        } finally {
            pool.shutdownNow();
        }
    }
}
