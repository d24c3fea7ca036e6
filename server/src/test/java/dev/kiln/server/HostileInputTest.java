package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.agent.client.ApiClient;
import dev.kiln.server.support.TestServer;
import dev.kiln.spec.archive.ArchiveLimits;
import dev.kiln.spec.archive.Tgz;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a hostile or careless upload gets: a clear 400 (413 when it is too large), and no build. */
class HostileInputTest {
    @TempDir Path tmp;
    TestServer kiln;

    @BeforeEach
    void start() throws Exception {
        kiln = TestServer.start(tmp.resolve("data"));
    }

    @AfterEach
    void stop() {
        kiln.close();
    }

    private Path tar(Map<String, String> files, String linkName, String linkTarget) throws IOException {
        Path archive = tmp.resolve("evil.tgz");
        try (OutputStream o = Files.newOutputStream(archive);
             var tar = new TarArchiveOutputStream(new GZIPOutputStream(o))) {
            for (var e : files.entrySet()) {
                byte[] b = e.getValue().getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry entry = new TarArchiveEntry(e.getKey(), true);
                entry.setSize(b.length);
                tar.putArchiveEntry(entry);
                tar.write(b);
                tar.closeArchiveEntry();
            }
            if (linkName != null) {
                TarArchiveEntry link = new TarArchiveEntry(linkName, TarArchiveEntry.LF_SYMLINK);
                link.setLinkName(linkTarget);
                tar.putArchiveEntry(link);
                tar.closeArchiveEntry();
            }
        }
        return archive;
    }

    private static final String OK_CONFIG = "steps:\n  - args: ['true']\n";

    @Test
    void an_archive_with_a_dot_dot_entry_is_refused_and_nothing_is_written_outside() throws Exception {
        Path archive = tar(Map.of("build.yaml", OK_CONFIG, "../../escaped.txt", "pwned"), null, null);
        assertThatThrownBy(() -> kiln.api.submit(archive, null, Map.of()))
                .isInstanceOfSatisfying(ApiClient.ApiException.class, e -> {
                    assertThat(e.error().status()).isEqualTo(400);
                    assertThat(e.error().message()).contains("outside the workspace");
                    assertThat(e.error().problems()).containsExactly("../../escaped.txt");
                });
        assertThat(kiln.api.list(10)).isEmpty();
        try (var files = Files.walk(tmp)) {
            assertThat(files.filter(p -> p.getFileName().toString().equals("escaped.txt"))).isEmpty();
        }
    }

    @Test
    void an_archive_with_a_symlink_out_of_the_workspace_is_refused() throws Exception {
        Path archive = tar(Map.of("build.yaml", OK_CONFIG), "etc", "../../../etc");
        assertThatThrownBy(() -> kiln.api.submit(archive, null, Map.of()))
                .isInstanceOfSatisfying(ApiClient.ApiException.class,
                        e -> assertThat(e.error().problems()).containsExactly("etc -> ../../../etc"));
        assertThat(kiln.api.list(10)).isEmpty();
    }

    @Test
    void a_ten_megabyte_config_is_refused_with_its_size() throws Exception {
        StringBuilder big = new StringBuilder("steps:\n");
        while (big.length() < 10_000_000) {
            big.append("  - args: ['echo', 'a fairly long line to make the config large']\n");
        }
        Path archive = tar(Map.of("build.yaml", big.toString()), null, null);
        assertThatThrownBy(() -> kiln.api.submit(archive, null, Map.of()))
                .isInstanceOfSatisfying(ApiClient.ApiException.class, e -> assertThat(e.error().problems())
                        .singleElement().asString().isEqualTo("build.yaml:1:1: config is " + big.length()
                                + " bytes; the limit is 1048576 bytes"));
        assertThat(kiln.api.list(10)).isEmpty();
    }

    @Test
    void a_yaml_bomb_is_refused_quickly() throws Exception {
        String bomb = """
                a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
                b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
                c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
                d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
                e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
                f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
                g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
                steps:
                  - args: *g
                """;
        Path archive = tar(Map.of("build.yaml", bomb), null, null);
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> kiln.api.submit(archive, null, Map.of()))
                .isInstanceOfSatisfying(ApiClient.ApiException.class,
                        e -> assertThat(e.error().problems()).isNotEmpty().allSatisfy(p -> assertThat(p).startsWith("build.yaml:")));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
        assertThat(kiln.api.list(10)).isEmpty();
    }

    /** A server whose uploads may unpack to 4 MiB, 1 MiB a file: bombs small enough to make in a test. */
    private TestServer limited() throws IOException {
        return TestServer.start(KilnServer.Config.defaults(tmp.resolve("limited")).withPort(0)
                .withSourceLimits(new ArchiveLimits(1000, 4 << 20, 1 << 20)));
    }

    private static void assertTooLarge(TestServer server, Path archive, String message) {
        assertThatThrownBy(() -> server.api.submit(archive, null, Map.of()))
                .isInstanceOfSatisfying(ApiClient.ApiException.class, e -> {
                    assertThat(e.error().status()).isEqualTo(413);
                    assertThat(e.error().message()).isEqualTo(message);
                });
    }

    @Test
    void a_gzip_bomb_is_refused_with_413_naming_the_setting_and_no_build_is_made() throws Exception {
        Tgz bomb = Tgz.archive().file("build.yaml", OK_CONFIG);
        for (int i = 0; i < 64; i++) {
            bomb.zeros("zeros-" + i + ".bin", 1 << 20);
        }
        Path archive = Files.write(tmp.resolve("bomb.tgz"), bomb.bytes());
        assertThat(Files.size(archive)).isLessThan(100_000);

        try (TestServer server = limited()) {
            assertTooLarge(server, archive, "source archive unpacks to more than 4 MiB (--max-source-bytes)");
            assertThat(server.api.list(10)).isEmpty();
        }
    }

    @Test
    void a_file_whose_header_understates_its_size_is_refused_with_413_and_no_build_is_made() throws Exception {
        byte[] liar = Tgz.archive().file("build.yaml", OK_CONFIG).sparse("data.bin", "tail", 1L << 30).bytes();
        Path archive = Files.write(tmp.resolve("liar.tgz"), liar);

        try (TestServer server = limited()) {
            assertTooLarge(server, archive, "source archive entry 'data.bin' is larger than 1 MiB (--max-source-file-bytes)");
            assertThat(server.api.list(10)).isEmpty();
        }
    }

    @Test
    void an_upload_that_is_not_an_archive_is_refused() throws Exception {
        Path junk = tmp.resolve("junk.tgz");
        Files.writeString(junk, "this is not gzip");
        assertThatThrownBy(() -> kiln.api.submit(junk, null, Map.of()))
                .isInstanceOfSatisfying(ApiClient.ApiException.class,
                        e -> assertThat(e.error().message())
                                .isEqualTo("source is not a tar.gz archive: it does not start with a gzip header"));
    }

    @Test
    void an_empty_upload_is_refused_as_empty() throws Exception {
        Path empty = Files.createFile(tmp.resolve("empty.tgz"));
        assertThatThrownBy(() -> kiln.api.submit(empty, null, Map.of()))
                .isInstanceOfSatisfying(ApiClient.ApiException.class,
                        e -> assertThat(e.error().message()).isEqualTo("source is not a tar.gz archive: it is empty (0 bytes)"));
    }

    @Test
    void a_source_without_a_config_is_refused() throws Exception {
        Path archive = tar(Map.of("README.md", "hi"), null, null);
        assertThatThrownBy(() -> kiln.api.submit(archive, null, Map.of()))
                .isInstanceOfSatisfying(ApiClient.ApiException.class,
                        e -> assertThat(e.error().message()).contains("no build.yaml, cloudbuild.yaml, buildspec.yaml"));
    }

    @Test
    void an_agent_without_the_token_is_turned_away() throws Exception {
        var http = java.net.http.HttpClient.newHttpClient();
        var r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(kiln.server.url() + "/api/agent/v1/lease?wait=0"))
                .header("Authorization", "Bearer wrong").POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(Files.getPosixFilePermissions(kiln.dataDir.resolve("agent.token")))
                .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
    }
}
