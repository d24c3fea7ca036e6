package dev.kiln.server.retention;

import static dev.kiln.server.retention.RetentionFixture.DAY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiln.server.builds.SourceStore;
import dev.kiln.spec.protocol.Status;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a sweep removes and what it must never remove, on a real store with a clock the test moves. */
class RetentionTest {
    private static final Duration HOUR = Duration.ofHours(1);

    @TempDir Path tmp;

    private RetentionFixture fixture(int keepDays, int keepBuilds) throws IOException {
        return new RetentionFixture(tmp, new RetentionPolicy(keepDays, keepBuilds, HOUR, HOUR));
    }

    @Test
    void a_build_that_ended_more_than_keep_days_ago_goes_with_its_steps_logs_and_source() throws Exception {
        try (RetentionFixture f = fixture(7, 0)) {
            String oldSource = f.source("old");
            String old = f.ended("build.yaml", oldSource);
            f.clock.advance(2 * DAY);
            String recentSource = f.source("recent");
            String recent = f.ended("build.yaml", recentSource);
            f.clock.advance(6 * DAY);   // old ended 8 days ago, recent 6

            Retention.Sweep s = f.retention.sweep();

            assertThat(f.exists(old)).isFalse();
            assertThat(f.store.steps(old)).isEmpty();
            assertThat(f.hasLog(old)).isFalse();
            assertThat(f.logs.file(old, 0).getParent()).doesNotExist();
            assertThat(f.stored(oldSource)).isFalse();
            assertThat(f.exists(recent)).isTrue();
            assertThat(f.hasLog(recent)).isTrue();
            assertThat(f.stored(recentSource)).isTrue();
            assertThat(s.builds()).isEqualTo(1);
            assertThat(s.sources()).isEqualTo(1);
            assertThat(s.bytes()).isEqualTo("a line of log\n".length() + dev.kiln.server.logs.LogTimes.RECORD + "old".length());   // the log, its one time record, the source
        }
    }

    @Test
    void only_the_last_n_builds_of_each_config_are_kept() throws Exception {
        try (RetentionFixture f = fixture(0, 2)) {
            String digest = f.source("src");
            List<String> a = List.of(f.ended("a.yaml", digest), f.ended("a.yaml", digest), f.ended("a.yaml", digest),
                    f.ended("a.yaml", digest));
            String b = f.ended("ci/b.yaml", digest);

            f.retention.sweep();

            assertThat(a).extracting(f::exists).containsExactly(false, false, true, true);
            assertThat(f.exists(b)).as("another config counts its own builds").isTrue();
            // Age alone removes nothing when --keep-days is 0.
            f.clock.advance(3650 * DAY);
            assertThat(f.retention.sweep().builds()).isZero();
        }
    }

    @Test
    void a_git_build_counts_among_its_triggers_builds_and_a_submit_among_the_submits_of_its_config_path() throws Exception {
        try (RetentionFixture f = fixture(0, 1)) {
            String digest = f.source("src");
            // Interleaved, all with the same config path: by config path alone only the newest would stay.
            String submit1 = f.ended("build.yaml", digest);
            String push1 = f.endedFromGit("churn", "dev-push", "build.yaml", digest);
            String submit2 = f.ended("build.yaml", digest);
            String push2 = f.endedFromGit("churn", "dev-push", "build.yaml", digest);
            String nightly = f.endedFromGit("churn", "nightly", "build.yaml", digest);
            String otherRepo = f.endedFromGit("vision", "dev-push", "build.yaml", digest);

            f.retention.sweep();

            assertThat(List.of(submit1, submit2)).extracting(f::exists).containsExactly(false, true);
            assertThat(List.of(push1, push2)).extracting(f::exists).containsExactly(false, true);
            assertThat(f.exists(nightly)).as("another trigger counts its own builds").isTrue();
            assertThat(f.exists(otherRepo)).as("a trigger of the same name on another repo counts its own").isTrue();
        }
    }

    @Test
    void a_build_waiting_for_approval_is_never_removed_however_old_and_however_many_came_after() throws Exception {
        try (RetentionFixture f = fixture(1, 1)) {
            String digest = f.source("src");
            String pending = f.fromGit(Status.PENDING, "churn", "deploy", "build.yaml", digest);
            List<String> later = List.of(f.endedFromGit("churn", "deploy", "build.yaml", digest),
                    f.endedFromGit("churn", "deploy", "build.yaml", digest));
            f.clock.advance(30 * DAY);

            Retention.Sweep s = f.retention.sweep();

            assertThat(f.exists(pending)).isTrue();
            assertThat(f.hasLog(pending)).isTrue();
            assertThat(f.stored(digest)).isTrue();
            assertThat(later).extracting(f::exists).containsExactly(false, false);
            assertThat(s.builds()).isEqualTo(2);
        }
    }

    @Test
    void a_kept_build_outlives_every_rule_and_goes_once_released() throws Exception {
        try (RetentionFixture f = fixture(1, 1)) {
            String digest = f.source("production model");
            String kept = f.ended("build.yaml", digest);
            f.store.keep(kept, true);
            String newer = f.ended("build.yaml", f.source("newer"));
            String newest = f.ended("build.yaml", f.source("newest"));
            f.clock.advance(10 * DAY);

            f.retention.sweep();

            assertThat(f.exists(kept)).isTrue();
            assertThat(f.hasLog(kept)).isTrue();
            assertThat(f.stored(digest)).isTrue();
            assertThat(f.exists(newer)).isFalse();
            assertThat(f.exists(newest)).as("older than a day").isFalse();

            f.store.keep(kept, false);
            f.retention.sweep();
            assertThat(f.exists(kept)).isFalse();
            assertThat(f.stored(digest)).isFalse();
        }
    }

    @Test
    void queued_and_running_builds_are_never_removed_however_old_or_many() throws Exception {
        try (RetentionFixture f = fixture(1, 1)) {
            String digest = f.source("src");
            String queued = f.queued("build.yaml", digest);
            String working = f.working("build.yaml", digest);
            String ended = f.ended("build.yaml", digest);
            f.clock.advance(30 * DAY);

            f.retention.sweep();

            assertThat(f.exists(queued)).isTrue();
            assertThat(f.exists(working)).isTrue();
            assertThat(f.hasLog(working)).isTrue();
            assertThat(f.exists(ended)).isFalse();
            assertThat(f.stored(digest)).as("the running build still needs its source").isTrue();
        }
    }

    @Test
    void a_source_shared_by_builds_stays_until_its_last_build_goes() throws Exception {
        try (RetentionFixture f = fixture(10, 0)) {
            String digest = f.source("shared");
            String first = f.ended("build.yaml", digest);
            f.clock.advance(5 * DAY);
            String retry = f.ended("build.yaml", digest);   // a retry: same source
            f.clock.advance(6 * DAY);

            f.retention.sweep();
            assertThat(f.exists(first)).isFalse();
            assertThat(f.stored(digest)).isTrue();

            f.clock.advance(5 * DAY);
            f.retention.sweep();
            assertThat(f.exists(retry)).isFalse();
            assertThat(f.stored(digest)).isFalse();
        }
    }

    @Test
    void leftovers_of_a_crash_are_swept_but_not_an_upload_in_progress_nor_a_fresh_one() throws Exception {
        try (RetentionFixture f = fixture(0, 0)) {
            Path sources = f.dir.resolve("sources");
            Path abandoned = Files.writeString(sources.resolve("upload123.part"), "half an upload");
            String orphan = f.source("uploaded, then the server died before its build was stored");
            Path orphanLogs = Files.createDirectories(f.dir.resolve("logs").resolve("gone-build"));
            Files.writeString(orphanLogs.resolve("0.log"), "log of a build whose row was removed\n");
            String used = f.source("used");
            String build = f.ended("build.yaml", used);

            // An upload still arriving: its part file must survive the sweep.
            PipedOutputStream client = new PipedOutputStream();
            PipedInputStream body = new PipedInputStream(client);
            CompletableFuture<SourceStore.Hold> upload = CompletableFuture.supplyAsync(() -> {
                try {
                    return f.sources.store(body);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            client.write("the first bytes".getBytes());
            client.flush();
            await().atMost(Duration.ofSeconds(10)).until(() -> parts(sources).size() == 2);

            // Within the grace period, a source of no build may be an upload about to become one.
            f.retention.sweep();
            assertThat(abandoned).doesNotExist();
            assertThat(f.stored(orphan)).isTrue();
            assertThat(orphanLogs).exists();
            assertThat(parts(sources)).hasSize(1);

            f.clock.advance(HOUR.toMillis() + 60_000);
            // An upload done and held (its build not yet stored) is not taken either.
            client.write(" and the rest".getBytes());
            client.close();
            try (SourceStore.Hold held = upload.get()) {
                Retention.Sweep s = f.retention.sweep();
                assertThat(f.stored(held.digest())).isTrue();
                assertThat(f.stored(orphan)).isFalse();
                assertThat(orphanLogs).doesNotExist();
                assertThat(f.exists(build)).isTrue();
                assertThat(f.stored(used)).isTrue();
                assertThat(s.sources()).isEqualTo(1);
                assertThat(s.leftovers()).isEqualTo(1);
            }
            f.retention.sweep();
            assertThat(parts(sources)).isEmpty();
        }
    }

    private static List<Path> parts(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".part")).toList();
        }
    }
}
