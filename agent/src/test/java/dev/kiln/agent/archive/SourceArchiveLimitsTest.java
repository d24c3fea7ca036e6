package dev.kiln.agent.archive;

import static dev.kiln.spec.archive.Tgz.archive;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.spec.archive.ArchiveLimitException;
import dev.kiln.spec.archive.ArchiveLimits;
import dev.kiln.spec.archive.Tgz;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Unpacking stops at its limits, and writes no more than they allow on the way. */
class SourceArchiveLimitsTest {
    static final long MIB = 1 << 20;
    static final ArchiveLimits SMALL = new ArchiveLimits(10, 4 * MIB, MIB);

    @TempDir
    Path workspace;

    private void unpack(Tgz archive) throws IOException {
        SourceArchive.unpack(new ByteArrayInputStream(archive.bytes()), workspace, SMALL);
    }

    @Test
    void a_gzip_bomb_is_refused_before_anything_is_written() {
        assertThatThrownBy(() -> SourceArchive.unpack(new ByteArrayInputStream(archive().zeros("zeros.bin", 64 * MIB).bytes()),
                workspace, new ArchiveLimits(10, 4 * MIB, 1L << 30)))
                .isInstanceOf(ArchiveLimitException.class)
                .hasMessage("source archive unpacks to more than 4 MiB (--max-source-bytes)");

        assertThat(workspace.resolve("zeros.bin")).doesNotExist();
    }

    @Test
    void a_header_that_says_four_bytes_writes_no_more_than_the_limit() throws IOException {
        assertThatThrownBy(() -> unpack(archive().sparse("small.txt", "tail", 1L << 30)))
                .isInstanceOf(ArchiveLimitException.class)
                .hasMessage("source archive entry 'small.txt' is larger than 1 MiB (--max-source-file-bytes)");

        assertThat(written()).isLessThanOrEqualTo(MIB);
    }

    @Test
    void files_over_the_total_stop_with_no_more_than_the_total_written() throws IOException {
        Tgz archive = archive();
        for (int i = 0; i < 6; i++) {
            archive.zeros("part-" + i, MIB);
        }

        assertThatThrownBy(() -> unpack(archive))
                .hasMessage("source archive unpacks to more than 4 MiB (--max-source-bytes)");

        assertThat(written()).isLessThanOrEqualTo(4 * MIB);
    }

    @Test
    void too_many_entries_are_refused() throws IOException {
        Tgz archive = archive();
        for (int i = 0; i < 11; i++) {
            archive.file("f" + i, "x");
        }

        assertThatThrownBy(() -> unpack(archive))
                .hasMessage("source archive has more than 10 entries (--max-source-entries)");

        try (Stream<Path> files = Files.list(workspace)) {
            assertThat(files.count()).isEqualTo(10);
        }
    }

    private long written() throws IOException {
        try (Stream<Path> s = Files.walk(workspace)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }
}
