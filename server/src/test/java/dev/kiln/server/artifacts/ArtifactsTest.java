package dev.kiln.server.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.agent.http.HttpAgentApi;
import dev.kiln.server.KilnServer;
import dev.kiln.server.disk.DiskSpace;
import dev.kiln.server.disk.MinFree;
import dev.kiln.server.retention.RetentionPolicy;
import dev.kiln.server.support.KilnProcess;
import dev.kiln.server.support.RawHttp;
import dev.kiln.server.web.WebSession;
import dev.kiln.server.support.TestServer;
import dev.kiln.spec.api.ArtifactView;
import dev.kiln.spec.api.BuildView;
import dev.kiln.spec.protocol.LeaseRequest;
import dev.kiln.spec.protocol.RefusedCallException;
import dev.kiln.spec.protocol.Status;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Artifacts through a real server and its agent: kept, listed, downloaded, limited, never a path out, removed with their builds. */
class ArtifactsTest {
    @TempDir Path tmp;

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    /** A repo whose build.yaml is {@code yaml}, with {@code data/model.bin} holding {@code model}. */
    private Path repo(String name, String yaml, byte[] model) throws Exception {
        Path repo = TestServer.repo(tmp.resolve(name), Map.of("build.yaml", yaml));
        Files.createDirectories(repo.resolve("data"));
        Files.write(repo.resolve("data/model.bin"), model);
        Files.createDirectories(repo.resolve("out"));
        Files.writeString(repo.resolve("out/.keep"), "");
        return TestServer.reachable(repo);
    }

    @Test
    void a_steps_artifacts_and_the_builds_objects_are_kept_listed_and_downloaded_byte_identical() throws Exception {
        byte[] model = bytes(300_000, 1);
        try (TestServer kiln = TestServer.start(tmp.resolve("data"))) {
            Path repo = repo("repo", """
                    steps:
                      - id: train
                        dir: out
                        script: |
                          cp ../data/model.bin model.pkl
                          mkdir -p reports && echo '<h1>r1</h1>' > reports/a.html && echo r2 > reports/b.html
                          ln -s /etc/passwd leak.txt
                          ln -s /etc linkdir
                        artifacts: [model.pkl, 'reports/*.html', 'missing/*.bin', leak.txt, 'linkdir/*']
                      - id: summary
                        script: echo 'accuracy 0.93' > summary.txt
                    artifacts:
                      objects:
                        location: gs://bucket/models/
                        paths: [summary.txt]
                    """, model);
            BuildView end = kiln.awaitEnd(kiln.submit(repo).id(), Duration.ofSeconds(60));
            assertThat(end.status()).as(end.statusDetail() + ": " + kiln.logText(end.id(), 0)).isEqualTo(Status.SUCCESS);
            String id = end.id();

            List<ArtifactView> listed = kiln.api.artifacts(id);
            assertThat(listed).containsExactly(
                    new ArtifactView("out/model.pkl", model.length, sha256(model), "train", "/api/builds/" + id + "/artifacts/out/model.pkl"),
                    new ArtifactView("out/reports/a.html", 12, sha256("<h1>r1</h1>\n".getBytes()), "train",
                            "/api/builds/" + id + "/artifacts/out/reports/a.html"),
                    new ArtifactView("out/reports/b.html", 3, sha256("r2\n".getBytes()), "train",
                            "/api/builds/" + id + "/artifacts/out/reports/b.html"),
                    new ArtifactView("summary.txt", 14, sha256("accuracy 0.93\n".getBytes()), null,
                            "/api/builds/" + id + "/artifacts/summary.txt"));
            assertThat(kiln.api.get(id).warnings()).extracting(w -> w.step() + ": " + w.message()).containsExactly(
                    "train: artifacts: 'out/missing/*.bin' matched no file; nothing kept for it",
                    "train: artifacts: out/leak.txt was not kept: out/leak.txt leads outside the workspace (a symbolic link?); not read",
                    "train: artifacts: 'out/linkdir/*' matched no file; nothing kept for it");
            assertThat(kiln.logText(id, 0)).contains("[kiln] warning: artifacts: 'out/missing/*.bin' matched no file");

            // Downloaded over HTTP: the same bytes, as an attachment no browser renders.
            HttpResponse<byte[]> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(kiln.server.url()
                            + "/api/builds/" + id + "/artifacts/out/model.pkl"))
                    .header("Authorization", "Bearer " + kiln.server.adminToken()).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo(model);
            assertThat(r.headers().firstValue("Content-Disposition")).hasValue("attachment; filename=\"model.pkl\"; filename*=UTF-8''model.pkl");
            assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
            assertThat(r.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
            assertThat(r.headers().firstValue("X-Kiln-Sha256")).hasValue(sha256(model));
            RawHttp.Response html = RawHttp.send(kiln.server.port(), "GET", "/api/builds/" + id + "/artifacts/out/reports/a.html",
                    Map.of("Authorization", "Bearer " + kiln.server.adminToken()), new byte[0]);
            assertThat(html.status()).isEqualTo(200);

            // The CLI lists them and downloads one, checked against its digest.
            String[] server = {"--server", kiln.server.url(), "--token", kiln.server.adminToken()};
            KilnProcess list = KilnProcess.start(tmp, concat(new String[] {"builds", "artifacts", id}, server));
            assertThat(list.awaitExit(Duration.ofSeconds(30))).as(list.output()).isZero();
            assertThat(list.output()).containsPattern("out/model.pkl\\s+293 KiB\\s+" + sha256(model) + "\\s+train")
                    .containsPattern("summary.txt\\s+14 bytes\\s+" + sha256("accuracy 0.93\n".getBytes()) + "\\s+\\(build\\)");
            Path saved = tmp.resolve("got.pkl");
            KilnProcess download = KilnProcess.start(tmp, concat(new String[] {"builds", "download", id, "out/model.pkl",
                    "-o", saved.toString()}, server));
            assertThat(download.awaitExit(Duration.ofSeconds(30))).as(download.output()).isZero();
            assertThat(Files.readAllBytes(saved)).isEqualTo(model);
            assertThat(download.output()).contains("saved " + saved + " (293 KiB, sha256 " + sha256(model) + ")");
            KilnProcess missing = KilnProcess.start(tmp, concat(new String[] {"builds", "download", id, "nope.bin"}, server));
            assertThat(missing.awaitExit(Duration.ofSeconds(30))).isNotZero();
            assertThat(missing.output()).contains("build " + id + " has no artifact nope.bin");

            // The build page, as a signed-in browser sees it, links each one, and the link downloads in that session.
            Map<String, String> browser = Map.of("Cookie", WebSession.adminCookie(kiln));
            RawHttp.Response page = RawHttp.send(kiln.server.port(), "GET", "/builds/" + id, browser, new byte[0]);
            assertThat(page.body()).contains("<a href=\"/api/builds/" + id + "/artifacts/out/model.pkl\" download>out/model.pkl</a>")
                    .contains(sha256(model));
            HttpResponse<byte[]> link = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(kiln.server.url()
                    + "/api/builds/" + id + "/artifacts/out/model.pkl")).header("Cookie", browser.get("Cookie")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(link.statusCode()).isEqualTo(200);
            assertThat(link.body()).isEqualTo(model);
        }
    }

    @Test
    void no_path_climbs_out_on_upload_or_download() throws Exception {
        KilnServer.Config config = KilnServer.Config.defaults(tmp.resolve("data")).withPort(0).withLocalAgent(false);
        try (TestServer kiln = TestServer.start(config)) {
            kiln.submit(TestServer.repo(tmp.resolve("repo"), Map.of("build.yaml", "steps:\n  - args: ['true']\n")));
            HttpAgentApi agent = new HttpAgentApi(kiln.server.url(), kiln.server.agentToken());
            var lease = agent.lease(new LeaseRequest(LeaseRequest.PROTOCOL, "a1", "h", List.of()), Duration.ofSeconds(10))
                    .orElseThrow();
            String id = lease.buildId();
            for (String bad : List.of("../escape.txt", "/tmp/escape.txt", "a/../../escape.txt", "a\\..\\escape.txt",
                    "./escape.txt", "a//escape.txt", "")) {
                byte[] body = "gotcha".getBytes(StandardCharsets.UTF_8);
                assertThatThrownBy(() -> agent.uploadArtifact(id, lease.leaseId(), 0, bad, body.length,
                        new ByteArrayInputStream(body))).as(bad).isInstanceOf(RefusedCallException.class)
                        .hasMessageContaining("path");
            }
            byte[] ok = "fine".getBytes(StandardCharsets.UTF_8);
            ArtifactView kept = agent.uploadArtifact(id, lease.leaseId(), 0, "ok/escape.txt", ok.length, new ByteArrayInputStream(ok));
            assertThat(kept.sha256()).isEqualTo(sha256(ok));
            assertThat(kiln.api.artifacts(id)).extracting(ArtifactView::path).containsExactly("ok/escape.txt");
            try (Stream<Path> all = Files.walk(tmp)) {
                assertThat(all.filter(p -> p.getFileName().toString().equals("escape.txt"))).isEmpty();
            }

            Map<String, String> auth = Map.of("Authorization", "Bearer " + kiln.server.adminToken());
            for (String attempt : List.of("../../../../../etc/passwd", "%2e%2e/%2e%2e/%2e%2e/etc/passwd",
                    "..%2f..%2f..%2fetc%2fpasswd", "ok/../../../agent.token", "%2fetc%2fpasswd", "ok%2f..%2f..%2fadmin.token")) {
                RawHttp.Response r = RawHttp.send(kiln.server.port(), "GET", "/api/builds/" + id + "/artifacts/" + attempt,
                        auth, new byte[0]);
                assertThat(r.status()).as(attempt).isIn(400, 404);
                assertThat(r.body()).as(attempt).doesNotContain("root:").doesNotContain(kiln.server.agentToken())
                        .doesNotContain(kiln.server.adminToken()).doesNotContain("Exception");
            }
            // Reads need a viewer, uploads the agent token.
            assertThat(RawHttp.send(kiln.server.port(), "GET", "/api/builds/" + id + "/artifacts/ok/escape.txt", Map.of(),
                    new byte[0]).status()).isEqualTo(401);
            assertThat(RawHttp.send(kiln.server.port(), "POST", "/api/agent/v1/builds/" + id + "/artifacts?lease="
                    + lease.leaseId() + "&path=x&size=1", Map.of("Authorization", "Bearer " + kiln.server.adminToken(),
                    "Content-Type", "application/octet-stream"), new byte[] {1}).status()).isEqualTo(401);
        }
    }

    @Test
    void an_artifact_over_a_limit_fails_the_build_naming_the_file_and_the_limit() throws Exception {
        KilnServer.Config config = KilnServer.Config.defaults(tmp.resolve("data")).withPort(0)
                .withLease(Duration.ofSeconds(3), Duration.ofMillis(500));
        KilnServer.Upkeep upkeep = KilnServer.Upkeep.DEFAULTS.withArtifacts(new ArtifactLimits(1L << 20, 512L << 10));
        try (TestServer kiln = TestServer.start(config, upkeep)) {
            BuildView file = kiln.awaitEnd(kiln.submit(repo("file", """
                    steps:
                      - id: train
                        script: head -c 600000 data/model.bin > big.bin
                        artifacts: [big.bin]
                      - id: after
                        args: ['true']
                    """, bytes(600_000, 2))).id(), Duration.ofSeconds(60));
            assertThat(file.status()).isEqualTo(Status.FAILURE);
            assertThat(file.statusDetail()).isEqualTo("build step 0 \"train\" failed: artifact refused: artifact big.bin is 586 KiB,"
                    + " over the limit of 512 KiB per file (kiln server --artifact-file-limit)");
            assertThat(file.steps()).extracting(s -> s.status()).containsExactly(Status.FAILURE, Status.SKIPPED);
            assertThat(kiln.api.artifacts(file.id())).isEmpty();

            BuildView build = kiln.awaitEnd(kiln.submit(repo("build", """
                    steps:
                      - id: train
                        script: |
                          head -c 400000 data/model.bin > a.bin
                          tail -c 400000 data/model.bin > b.bin
                          head -c 300000 data/model.bin > c.bin
                    artifacts:
                      objects:
                        location: gs://b/
                        paths: ['*.bin']
                    """, bytes(800_000, 3))).id(), Duration.ofSeconds(60));
            assertThat(build.status()).isEqualTo(Status.FAILURE);
            assertThat(build.statusDetail()).isEqualTo("artifact refused: artifact c.bin (293 KiB) would take the build's"
                    + " artifacts over the limit of 1 MiB per build, with 781 KiB kept already (kiln server --artifact-limit)");
            assertThat(kiln.api.artifacts(build.id())).extracting(ArtifactView::path).containsExactly("a.bin", "b.bin");
        }
    }

    @Test
    void retention_removes_a_builds_artifacts_and_only_content_no_other_build_uses() throws Exception {
        KilnServer.Config config = KilnServer.Config.defaults(tmp.resolve("data")).withPort(0)
                .withLease(Duration.ofSeconds(3), Duration.ofMillis(500));
        KilnServer.Upkeep upkeep = new KilnServer.Upkeep(RetentionPolicy.DEFAULTS.withLimits(0, 1), MinFree.OFF,
                DiskSpace.system());
        byte[] shared = bytes(50_000, 4);
        try (TestServer kiln = TestServer.start(config, upkeep)) {
            String yaml = """
                    steps:
                      - script: |
                          cp data/model.bin shared.bin
                          echo "$BUILD_ID" > own.txt
                        artifacts: [shared.bin, own.txt]
                    """;
            String first = kiln.awaitEnd(kiln.submit(repo("a", yaml, shared)).id(), Duration.ofSeconds(60)).id();
            String second = kiln.awaitEnd(kiln.submit(repo("b", yaml, shared)).id(), Duration.ofSeconds(60)).id();
            Path blobs = kiln.dataDir.resolve("artifacts/sha256");
            String sharedSha = sha256(shared);
            String firstOwn = sha256((first + "\n").getBytes());
            String secondOwn = sha256((second + "\n").getBytes());
            assertThat(blobFiles(blobs)).containsExactlyInAnyOrder(sharedSha, firstOwn, secondOwn);

            kiln.server.retention().sweep();   // keeps the last build of this config only

            assertThat(kiln.api.list(10)).extracting(BuildView::id).containsExactly(second);
            assertThat(blobFiles(blobs)).containsExactlyInAnyOrder(sharedSha, secondOwn);
            try (InputStream in = kiln.api.download(second, "shared.bin").body()) {
                assertThat(in.readAllBytes()).isEqualTo(shared);
            }

            String third = kiln.awaitEnd(kiln.submit(TestServer.repo(tmp.resolve("c"), Map.of("build.yaml",
                    "steps:\n  - args: ['true']\n"))).id(), Duration.ofSeconds(60)).id();
            kiln.server.retention().sweep();

            assertThat(kiln.api.list(10)).extracting(BuildView::id).containsExactly(third);
            assertThat(blobFiles(blobs)).isEmpty();
        }
    }

    private static List<String> blobFiles(Path blobs) throws Exception {
        try (Stream<Path> all = Files.walk(blobs)) {
            return all.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).toList();
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

}
