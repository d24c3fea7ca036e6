package dev.kiln.agent.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.agent.archive.SourceArchive;
import dev.kiln.spec.archive.ArchiveLimitException;
import dev.kiln.spec.archive.ArchiveLimits;
import dev.kiln.spec.archive.Tgz;
import dev.kiln.spec.plan.BuildPlan;
import dev.kiln.spec.protocol.Lease;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SourceCacheTest {
    @TempDir Path tmp;

    /** A test double of the server's source endpoint: serves one archive per call and counts the calls. */
    static final class Sources extends PartialAgentApi {
        byte[] archive;
        int calls;

        @Override
        public InputStream source(String buildId, String leaseId) {
            calls++;
            return new ByteArrayInputStream(archive);
        }
    }

    private byte[] archiveOf(String content) throws IOException {
        Path dir = Files.createTempDirectory(tmp, "src");
        Files.writeString(dir.resolve("data.txt"), content);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SourceArchive.pack(dir, out);
        return out.toByteArray();
    }

    private static Lease lease(String digest) {
        return new Lease("b", "l", new BuildPlan(BuildPlan.VERSION, "b", 1000, List.of(), List.of()), digest, 1000, 100);
    }

    private static String digest(byte[] b) throws Exception {
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    @Test
    void a_source_fetched_once_is_unpacked_again_without_a_download() throws Exception {
        Sources api = new Sources();
        api.archive = archiveOf("v1\n");
        SourceCache cache = new SourceCache(api, tmp.resolve("cache"), ArchiveLimits.DEFAULTS);

        cache.unpack(lease(digest(api.archive)), tmp.resolve("w1"));
        cache.unpack(lease(digest(api.archive)), tmp.resolve("w2"));

        assertThat(api.calls).isEqualTo(1);
        assertThat(tmp.resolve("w2/data.txt")).hasContent("v1");
    }

    @Test
    void a_download_that_does_not_match_its_digest_is_refused_and_not_kept() throws Exception {
        Sources api = new Sources();
        api.archive = archiveOf("tampered\n");
        SourceCache cache = new SourceCache(api, tmp.resolve("cache"), ArchiveLimits.DEFAULTS);

        assertThatThrownBy(() -> cache.unpack(lease(digest(archiveOf("original\n"))), tmp.resolve("w")))
                .hasMessageContaining("does not match");
        try (Stream<Path> files = Files.list(tmp.resolve("cache"))) {
            assertThat(files).isEmpty();
        }
        assertThat(tmp.resolve("w/data.txt")).doesNotExist();
    }

    @Test
    void the_cache_keeps_only_the_most_recent_archives() throws Exception {
        Sources api = new Sources();
        SourceCache cache = new SourceCache(api, tmp.resolve("cache"), ArchiveLimits.DEFAULTS);
        for (int i = 0; i < SourceCache.KEEP + SourceCache.KEEP / 4; i++) {
            api.archive = archiveOf("v" + i + "\n");
            cache.unpack(lease(digest(api.archive)), tmp.resolve("w" + i));
        }
        try (Stream<Path> files = Files.list(tmp.resolve("cache"))) {
            assertThat(files.count()).isEqualTo(SourceCache.KEEP);
        }
    }

    @ParameterizedTest(name = "a digest \"{0}\" is refused before the cache is touched")
    @ValueSource(strings = {"sha256:../../etc/passwd", "sha256:../../../tmp/x", "/etc/passwd",
            "sha256:ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789", "sha1:0123456789abcdef"})
    void a_malformed_digest_is_refused_before_the_file_system_is_touched(String digest) throws Exception {
        Sources api = new Sources();
        api.archive = archiveOf("x\n");
        SourceCache cache = new SourceCache(api, tmp.resolve("cache"), ArchiveLimits.DEFAULTS);

        assertThatThrownBy(() -> cache.unpack(lease(digest), tmp.resolve("w")))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("malformed source digest");
        assertThat(api.calls).isZero();
        assertThat(tmp.resolve("cache")).doesNotExist();
        assertThat(tmp.resolve("w")).doesNotExist();
    }

    @Test
    void a_source_over_the_limits_is_refused_cached_or_not() throws Exception {
        Sources api = new Sources();
        api.archive = Tgz.archive().sparse("data.bin", "tail", 1L << 30).bytes();
        ArchiveLimits small = new ArchiveLimits(10, 4 << 20, 1 << 20);

        for (Path dir : Arrays.asList(tmp.resolve("cache"), null)) {
            assertThatThrownBy(() -> new SourceCache(api, dir, small).unpack(lease(digest(api.archive)), tmp.resolve("w")))
                    .isInstanceOf(ArchiveLimitException.class)
                    .hasMessage("source archive entry 'data.bin' is larger than 1 MiB (--max-source-file-bytes)");
        }
    }

    @Test
    void without_a_cache_directory_the_stream_is_unpacked_as_it_comes() throws Exception {
        Sources api = new Sources();
        api.archive = archiveOf("direct\n");
        new SourceCache(api, null, ArchiveLimits.DEFAULTS).unpack(lease("sha256:" + "0".repeat(64)), tmp.resolve("w"));
        assertThat(tmp.resolve("w/data.txt")).hasContent("direct");
    }
}
