package dev.kiln.agent.production;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.spec.protocol.AgentApi;
import dev.kiln.spec.protocol.HeartbeatReply;
import dev.kiln.spec.protocol.Lease;
import dev.kiln.spec.protocol.LeaseRequest;
import dev.kiln.spec.protocol.ProductionListing;
import dev.kiln.spec.protocol.Status;
import dev.kiln.spec.protocol.StepResult;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the agent writes when a server lists what a real Kiln server never lists (a path that climbs
 * out, bytes that do not match their digest), and when an earlier step left a link where a file goes.
 * The server here is a stand-in: a real one refuses to store such artifacts, so only a stand-in can
 * send them. The end-to-end path with a real server is ProductionArtifactsTest in the server module.
 */
class ProductionFetchTest {
    @TempDir Path tmp;

    /** A server that lists {@code files} (path to bytes) as production v3 of churn, each with {@code digests}' SHA-256. */
    private static AgentApi server(Map<String, byte[]> files, Map<String, byte[]> digests) {
        return new Stub() {
            @Override
            public ProductionListing production(String buildId, String leaseId) {
                return new ProductionListing("churn", 3, "abc1234def", "prod-1", files.keySet().stream().sorted()
                        .map(p -> new ProductionListing.Artifact(p, digests.get(p).length, sha256(digests.get(p)))).toList());
            }

            @Override
            public InputStream productionFile(String buildId, String leaseId, String productionBuild, String path) {
                return new ByteArrayInputStream(files.get(path));
            }
        };
    }

    /** The calls a fetch never makes. */
    private abstract static class Stub implements AgentApi {
        @Override
        public Optional<Lease> lease(LeaseRequest request, Duration wait) {
            throw new UnsupportedOperationException();
        }

        @Override
        public HeartbeatReply heartbeat(String buildId, String leaseId, Duration wait) {
            throw new UnsupportedOperationException();
        }

        @Override
        public InputStream source(String buildId, String leaseId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void stepStarted(String buildId, String leaseId, int step, long startMillis) {}

        @Override
        public long appendLog(String buildId, String leaseId, int step, long offset, byte[] data, int off, int len) {
            return 0;
        }

        @Override
        public void stepFinished(String buildId, String leaseId, int step, StepResult result) {}

        @Override
        public void buildFinished(String buildId, String leaseId, Status status, String detail) {}
    }

    private static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private record Run(int exit, String log) {}

    private Run fetch(AgentApi api, Path workspace, String dir) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit = new ProductionFetch(api, "b", "l").run(workspace, dir, new PrintStream(out, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8));
    }

    private static List<String> files(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void files_land_at_their_paths_under_dir_and_replace_a_link_rather_than_write_through_it() throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        Path outside = Files.writeString(tmp.resolve("outside.txt"), "keep me");
        Files.createDirectories(ws.resolve("production"));
        Files.createSymbolicLink(ws.resolve("production/model.pkl"), outside);
        Map<String, byte[]> files = Map.of("model.pkl", "m".getBytes(), "reports/v3/eval.json", "{}".getBytes());

        Run r = fetch(server(files, files), ws, "production");

        assertThat(r.exit()).as(r.log()).isZero();
        assertThat(r.log()).endsWith("kiln: fetched 2 artifacts of churn production v3 (commit abc1234, build prod-1)"
                + " into production/\n");
        assertThat(files(ws)).containsExactly("production/model.pkl", "production/reports/v3/eval.json");
        assertThat(Files.isSymbolicLink(ws.resolve("production/model.pkl"))).isFalse();
        assertThat(Files.readString(ws.resolve("production/model.pkl"))).isEqualTo("m");
        assertThat(Files.readString(outside)).isEqualTo("keep me");
    }

    @Test
    void a_production_build_that_kept_nothing_is_said_so_and_passes() throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        Run r = fetch(server(Map.of(), Map.of()), ws, "baseline/model");

        assertThat(r.exit()).isZero();
        assertThat(r.log()).isEqualTo("kiln: churn production v3 (commit abc1234, build prod-1) kept no artifacts:"
                + " nothing fetched into baseline/model/\n");
        assertThat(Files.isDirectory(ws.resolve("baseline/model"))).isTrue();
    }

    @Test
    void a_listed_path_that_climbs_out_is_refused_before_anything_is_written() throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        Map<String, byte[]> files = Map.of("a.txt", "a".getBytes(), "../escape.txt", "x".getBytes());

        Run r = fetch(server(files, files), ws, "production");

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.log()).isEqualTo("kiln: the server listed '../escape.txt' as a file of churn production v3 (commit"
                + " abc1234, build prod-1): an artifact's path may not have empty, '.' or '..' parts; nothing more fetched\n");
        assertThat(files(tmp)).isEmpty();
    }

    @Test
    void a_link_an_earlier_step_left_as_the_directory_is_not_written_through() throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Files.createSymbolicLink(ws.resolve("production"), elsewhere);
        Map<String, byte[]> files = Map.of("model.pkl", "m".getBytes());

        Run r = fetch(server(files, files), ws, "production");

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.log()).isEqualTo("kiln: production is a symbolic link; the production model's files are not written"
                + " through one\n");
        assertThat(files(elsewhere)).isEmpty();
    }

    @Test
    void a_stop_during_a_download_ends_the_step_at_once_and_keeps_nothing() throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        CountDownLatch reading = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        // A download that never ends by itself: a read waits until the stream is closed.
        InputStream hanging = new InputStream() {
            @Override
            public int read() throws IOException {
                reading.countDown();
                try {
                    closed.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new IOException("stream closed");
            }

            @Override
            public void close() {
                closed.countDown();
            }
        };
        AgentApi api = server(Map.of("model.pkl", "m".getBytes()), Map.of("model.pkl", "m".getBytes()));
        AgentApi slow = new Stub() {
            @Override
            public ProductionListing production(String buildId, String leaseId) throws IOException {
                return api.production(buildId, leaseId);
            }

            @Override
            public InputStream productionFile(String buildId, String leaseId, String productionBuild, String path) {
                return hanging;
            }
        };
        ProductionFetch fetch = new ProductionFetch(slow, "b", "l");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int[] exit = {-1};
        Thread t = new Thread(() -> exit[0] = fetch.run(ws, "production", new PrintStream(out, true, StandardCharsets.UTF_8)));
        t.start();
        assertThat(reading.await(10, TimeUnit.SECONDS)).isTrue();
        fetch.stop();
        t.join(10_000);

        assertThat(t.isAlive()).isFalse();
        assertThat(exit[0]).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("kiln: stopped while fetching the production model\n");
        assertThat(files(ws)).isEmpty();
    }

    @Test
    void bytes_that_do_not_match_the_listed_digest_fail_the_step_and_are_not_kept() throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        Run r = fetch(server(Map.of("model.pkl", "tampered".getBytes()), Map.of("model.pkl", "original".getBytes())), ws,
                "production");

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.log()).isEqualTo("kiln: model.pkl: got 8 bytes with SHA-256 " + sha256("tampered".getBytes())
                + ", but the production build lists 8 bytes with SHA-256 " + sha256("original".getBytes()) + "; not kept\n");
        assertThat(files(ws)).isEmpty();
        assertThat(Files.isDirectory(ws.resolve("production"))).isTrue();
    }
}
