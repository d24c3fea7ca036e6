package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kiln.agent.archive.SourceArchive;
import dev.kiln.agent.client.ApiClient;
import dev.kiln.server.disk.DiskSpace;
import dev.kiln.server.disk.MinFree;
import dev.kiln.server.retention.RetentionPolicy;
import dev.kiln.server.support.GitCli;
import dev.kiln.server.support.KilnProcess;
import dev.kiln.server.support.RawHttp;
import dev.kiln.server.support.TestServer;
import dev.kiln.spec.api.BuildView;
import dev.kiln.spec.api.RepoRequest;
import dev.kiln.spec.api.ServerStatusView;
import dev.kiln.spec.api.TriggerRun;
import dev.kiln.spec.api.TriggerView;
import dev.kiln.spec.json.Json;
import dev.kiln.spec.protocol.Status;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data directory kept in bounds, through the real server: refused uploads leave nothing,
 * `kiln server status` tells what is on disk, builds can be kept, and a nearly full disk refuses
 * new builds with a 507 that the CLI prints. No test can fill a disk, so the server is given a
 * free-space probe whose answer the test sets.
 */
class UpkeepTest {
    private static final long GIB = 1L << 30;

    @TempDir Path tmp;

    /** A disk of 100 GiB whose free space the test sets. */
    private final AtomicLong free = new AtomicLong(50 * GIB);
    private final DiskSpace probe = dir -> new DiskSpace.Space(free.get(), 100 * GIB);

    private TestServer start(RetentionPolicy retention, boolean localAgent) throws Exception {
        TestServer.reachable(tmp);   // run as root, steps run as the build user, who must reach the work dir
        var config = KilnServer.Config.defaults(tmp.resolve("data")).withPort(0)
                .withLease(Duration.ofSeconds(3), Duration.ofMillis(500)).withLocalAgent(localAgent);
        return TestServer.start(config, new KilnServer.Upkeep(retention, MinFree.DEFAULT, probe));
    }

    private static byte[] tgz(Path dir) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SourceArchive.pack(dir, out);
        return out.toByteArray();
    }

    private static List<Path> files(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    @Test
    void a_refused_upload_leaves_nothing_in_the_data_directory_and_takes_no_source_a_build_uses() throws Exception {
        try (TestServer kiln = start(RetentionPolicy.DEFAULTS, false)) {
            var upload = Map.of("Content-Type", "application/gzip", "Authorization", "Bearer " + kiln.server.adminToken());
            Path sources = kiln.dataDir.resolve("sources");
            byte[] bad = tgz(TestServer.repo(tmp.resolve("bad"), Map.of("build.yaml", "steps:\n  - argz: [true]\n")));
            assertThat(RawHttp.send(kiln.server.port(), "POST", "/api/builds", upload, bad).status()).isEqualTo(400);
            byte[] none = tgz(TestServer.repo(tmp.resolve("none"), Map.of("README", "no config here\n")));
            assertThat(RawHttp.send(kiln.server.port(), "POST", "/api/builds", upload, none).status()).isEqualTo(400);
            assertThat(RawHttp.send(kiln.server.port(), "POST", "/api/builds", upload, "not gzip".getBytes()).status())
                    .isEqualTo(400);
            assertThat(files(sources)).isEmpty();

            // The same bytes as a build's source, refused for another reason: the build still needs them.
            byte[] good = tgz(TestServer.repo(tmp.resolve("good"), Map.of("build.yaml", "steps:\n  - args: ['true']\n")));
            assertThat(RawHttp.send(kiln.server.port(), "POST", "/api/builds", upload, good).status()).isEqualTo(201);
            assertThat(RawHttp.send(kiln.server.port(), "POST", "/api/builds?config=other.yaml", upload, good).status())
                    .isEqualTo(400);
            assertThat(files(sources)).hasSize(1);
            assertThat(kiln.api.list(10)).hasSize(1);
        }
    }

    @Test
    void server_status_shows_the_bytes_on_disk_per_kind_the_disk_and_the_builds() throws Exception {
        try (TestServer kiln = start(RetentionPolicy.DEFAULTS.withLimits(7, 20), true)) {
            String id = kiln.submit(TestServer.repo(tmp.resolve("ok"), Map.of("build.yaml", "steps:\n  - args: [echo, hello]\n"))).id();
            assertThat(kiln.awaitEnd(id, Duration.ofSeconds(30)).status()).isEqualTo(Status.SUCCESS);
            kiln.api.keep(id, true);
            kiln.server.retention().sweep();

            ServerStatusView s = kiln.api.status();

            long db = size(kiln.dataDir.resolve("kiln.mv.db")) + size(kiln.dataDir.resolve("kiln.trace.db"));
            long logs = treeSize(kiln.dataDir.resolve("logs"));
            long sources = treeSize(kiln.dataDir.resolve("sources"));
            long all = treeSize(kiln.dataDir);
            assertThat(logs).isPositive();
            assertThat(sources).isPositive();
            assertThat(s.usage()).isEqualTo(new ServerStatusView.Usage(db, logs, sources, all - db - logs - sources, all));
            assertThat(s.disk()).isEqualTo(new ServerStatusView.Disk(50 * GIB, 100 * GIB, GIB, false));
            assertThat(s.builds()).isEqualTo(new ServerStatusView.Builds(1, 0, 0, 1, 1));
            assertThat(s.retention()).isEqualTo(new ServerStatusView.Retention(7, 20,
                    "the smaller of 1 GiB and 5% of the disk",
                    "old builds are removed after 7 days and beyond the last 20 per config"));
            assertThat(s.lastSweep().builds()).isZero();

            String[] server = {"--server", kiln.server.url(), "--token", kiln.server.adminToken()};
            KilnProcess text = KilnProcess.start(tmp, concat(new String[] {"server", "status"}, server));
            assertThat(text.awaitExit(Duration.ofSeconds(30))).as(text.output()).isZero();
            assertThat(text.output()).contains("50 GiB free of 100 GiB; new builds need 1 GiB free")
                    .containsPattern("logs +" + java.util.regex.Pattern.quote(dev.kiln.spec.archive.Sizes.human(logs)))
                    .contains("Builds:      1 (0 queued, 0 working, 1 ended; 1 kept)")
                    .contains("Retention:   old builds are removed after 7 days and beyond the last 20 per config");
            KilnProcess json = KilnProcess.start(tmp, concat(new String[] {"server", "status", "--format", "json"}, server));
            assertThat(json.awaitExit(Duration.ofSeconds(30))).as(json.output()).isZero();
            assertThat(Json.MAPPER.readValue(json.output(), ServerStatusView.class).usage().logs()).isEqualTo(logs);
        }
    }

    @Test
    void a_kept_build_survives_the_sweep_and_goes_once_released() throws Exception {
        try (TestServer kiln = start(RetentionPolicy.DEFAULTS.withLimits(0, 1), true)) {
            String first = kiln.endedBuild(tmp.resolve("a"));
            assertThat(kiln.api.keep(first, true).kept()).isTrue();
            String second = kiln.endedBuild(tmp.resolve("a"));
            String third = kiln.endedBuild(tmp.resolve("a"));

            kiln.server.retention().sweep();

            assertThat(kiln.api.get(first).kept()).isTrue();
            assertThatThrownBy(() -> kiln.api.get(second)).hasMessageContaining("no build " + second);
            assertThat(kiln.api.get(third).kept()).isFalse();
            assertThat(kiln.dataDir.resolve("logs").resolve(second)).doesNotExist();

            assertThat(kiln.api.keep(first, false).kept()).isFalse();
            kiln.server.retention().sweep();
            assertThatThrownBy(() -> kiln.api.get(first)).hasMessageContaining("no build " + first);
            assertThat(kiln.api.list(10)).extracting(BuildView::id).containsExactly(third);
            assertThatThrownBy(() -> kiln.api.keep("nope", true)).hasMessageContaining("no build nope");
        }
    }

    @Test
    void a_nearly_full_disk_refuses_submit_and_retry_with_507_while_running_builds_keep_logging() throws Exception {
        try (TestServer kiln = start(RetentionPolicy.DEFAULTS, true)) {
            Path slow = TestServer.repo(tmp.resolve("slow"), Map.of("build.yaml", """
                    steps:
                      - script: |
                          echo started
                          sleep 2
                          echo still writing its log
                    """));
            String running = kiln.submit(slow).id();
            await().atMost(Duration.ofSeconds(30)).until(() -> kiln.logText(running, 0).contains("started"));

            free.set(512L << 20);
            assertThat(kiln.api.get(running).status()).isEqualTo(Status.WORKING);
            // Larger than any socket buffer, so the refusal must arrive while the upload is still being sent.
            Path big = TestServer.repo(tmp.resolve("big"), Map.of("build.yaml", "steps:\n  - args: ['true']\n"));
            byte[] noise = new byte[8 << 20];
            new Random(1).nextBytes(noise);
            Files.write(big.resolve("model.bin"), noise);
            KilnProcess submit = KilnProcess.start(tmp, "submit", big.toString(), "--server", kiln.server.url(),
                    "--token", kiln.server.adminToken());
            assertThat(submit.awaitExit(Duration.ofSeconds(60))).as(submit.output()).isEqualTo(2);
            assertThat(submit.output())
                    .contains("ERROR: the server's disk is nearly full: 512 MiB free of 100 GiB, below the 1 GiB floor"
                            + " (--min-free-disk); old builds are removed after 30 days and beyond the last 100 per config"
                            + " — see kiln server status")
                    .doesNotContain("Exception", "\tat ");
            ApiClient.ApiException retry = (ApiClient.ApiException) org.assertj.core.api.Assertions.catchThrowable(
                    () -> kiln.api.retry(running));
            assertThat(retry.error().status()).isEqualTo(507);
            assertThat(retry.getMessage()).contains("nearly full");
            assertThat(kiln.api.status().disk().nearlyFull()).isTrue();

            BuildView end = kiln.awaitEnd(running, Duration.ofSeconds(30));
            assertThat(end.status()).isEqualTo(Status.SUCCESS);
            assertThat(kiln.logText(running, 0)).contains("still writing its log");
            assertThat(kiln.api.list(10)).extracting(BuildView::id).containsExactly(running);
            assertThat(files(kiln.dataDir.resolve("sources"))).hasSize(1);

            free.set(2 * GIB);
            assertThat(kiln.api.retry(running).status()).isIn(Status.QUEUED, Status.WORKING, Status.SUCCESS);
            KilnProcess again = KilnProcess.start(tmp, "submit", big.toString(), "--async", "--server", kiln.server.url(),
                    "--token", kiln.server.adminToken());
            assertThat(again.awaitExit(Duration.ofSeconds(60))).as(again.output()).isZero();
            assertThat(kiln.api.list(10)).hasSize(3);
        }
    }

    @Test
    void a_nearly_full_disk_refuses_builds_from_git_too_and_the_push_and_triggers_run_say_why() throws Exception {
        try (TestServer kiln = start(RetentionPolicy.DEFAULTS, false)) {
            GitCli git = GitCli.in(tmp);
            kiln.api.createRepo(new RepoRequest("churn", null, null, null, null));
            kiln.api.createTrigger(new TriggerView("dev-push", "churn", "^dev$", null, false, null, List.of(), List.of(),
                    Map.of(), true, null));
            Path work = git.init(tmp.resolve("work"), "dev");
            git.signIn(kiln).run(work, "remote", "add", "kiln", kiln.server.url() + "/git/churn.git");
            git.commit(work, "first", Map.of("build.yaml", "steps:\n  - args: ['true']\n"));
            free.set(512L << 20);

            String out = git.run(work, "push", "-q", "kiln", "dev");

            assertThat(out).contains("no build, dev-push: the server's disk is nearly full: 512 MiB free of 100 GiB,"
                    + " below the 1 GiB floor (--min-free-disk)").doesNotContain("Exception");
            assertThat(kiln.api.list(10)).isEmpty();
            ApiClient.ApiException run = (ApiClient.ApiException) org.assertj.core.api.Assertions.catchThrowable(
                    () -> kiln.api.runTrigger("dev-push", new TriggerRun("dev", null, null, Map.of())));
            assertThat(run.error().status()).isEqualTo(507);
            assertThat(run.getMessage()).contains("nearly full");
            assertThat(kiln.api.list(10)).isEmpty();

            free.set(2 * GIB);
            BuildView b = kiln.api.runTrigger("dev-push", new TriggerRun("dev", null, null, Map.of()));
            assertThat(b.status()).isEqualTo(Status.QUEUED);
            assertThat(b.trigger()).isEqualTo("dev-push");
            assertThat(kiln.api.list(10)).extracting(BuildView::id).containsExactly(b.id());
        }
    }

    private static long size(Path f) throws Exception {
        return Files.exists(f) ? Files.size(f) : 0;
    }

    private static long treeSize(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (java.io.IOException e) {
                    return 0;
                }
            }).sum();
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
