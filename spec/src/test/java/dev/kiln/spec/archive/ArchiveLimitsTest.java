package dev.kiln.spec.archive;

import static dev.kiln.spec.archive.Tgz.archive;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the server's check does with an archive that unpacks to more than it may. */
class ArchiveLimitsTest {
    static final long MIB = 1 << 20;
    static final ArchiveLimits SMALL = new ArchiveLimits(10, 4 * MIB, MIB);

    private static SourceInspector.Inspection inspect(byte[] archive, ArchiveLimits limits) throws IOException {
        return SourceInspector.inspect(new ByteArrayInputStream(archive), List.of("build.yaml"), 100, limits);
    }

    @Test
    void a_gzip_bomb_of_a_few_kilobytes_is_refused_naming_the_limit_and_its_setting() {
        byte[] bomb = archive().zeros("zeros.bin", 64 * MIB).bytes();
        assertThat(bomb.length).isLessThan(100_000);

        assertThatThrownBy(() -> inspect(bomb, new ArchiveLimits(10, 4 * MIB, 1L << 30)))
                .isInstanceOf(ArchiveLimitException.class)
                .hasMessage("source archive unpacks to more than 4 MiB (--max-source-bytes)");
    }

    @Test
    void files_that_are_each_allowed_but_too_many_bytes_together_are_refused() {
        Tgz archive = archive();
        for (int i = 0; i < 5; i++) {
            archive.zeros("part-" + i, MIB);
        }

        assertThatThrownBy(() -> inspect(archive.bytes(), SMALL))
                .hasMessage("source archive unpacks to more than 4 MiB (--max-source-bytes)");
    }

    @Test
    void one_file_over_its_limit_is_refused_by_name() {
        assertThatThrownBy(() -> inspect(archive().zeros("big.bin", MIB + 1).bytes(), SMALL))
                .isInstanceOf(ArchiveLimitException.class)
                .hasMessage("source archive entry 'big.bin' is larger than 1 MiB (--max-source-file-bytes)");
    }

    @Test
    void an_archive_right_at_its_limits_passes() throws IOException {
        Tgz archive = archive().file("build.yaml", "steps: []\n").zeros("exact.bin", MIB);
        for (int i = 0; i < 8; i++) {
            archive.file("f" + i, "x");
        }

        SourceInspector.Inspection got = inspect(archive.bytes(), SMALL);

        assertThat(got.unsafe()).isEmpty();
        assertThat(got.sizes()).containsEntry("build.yaml", 10L);
    }

    @Test
    void too_many_entries_are_refused() {
        Tgz archive = archive();
        for (int i = 0; i < 11; i++) {
            archive.file("f" + i, "x");
        }

        assertThatThrownBy(() -> inspect(archive.bytes(), SMALL))
                .isInstanceOf(ArchiveLimitException.class)
                .hasMessage("source archive has more than 10 entries (--max-source-entries)");
    }

    @Test
    void a_header_that_says_four_bytes_cannot_hide_a_gigabyte() {
        // A sparse file: its header's size is the 4 bytes stored, but it reads as 1 GiB, a hole and then them.
        byte[] liar = archive().sparse("small.txt", "tail", 1L << 30).bytes();
        assertThat(liar.length).isLessThan(1000);

        assertThatThrownBy(() -> inspect(liar, SMALL))
                .isInstanceOf(ArchiveLimitException.class)
                .hasMessage("source archive entry 'small.txt' is larger than 1 MiB (--max-source-file-bytes)");
    }

    @Test
    void a_header_too_large_to_hold_in_memory_is_refused() {
        // A 2 MiB name: the tar reader would hold it whole, and a few KB of gzip can carry a gigabyte of one.
        byte[] archive = archive().pax("path", "a".repeat(2 << 20)).file("x", "x").bytes();

        assertThatThrownBy(() -> inspect(archive, ArchiveLimits.DEFAULTS))
                .isInstanceOf(ArchiveLimitException.class)
                .hasMessageStartingWith("source archive has an entry header larger than 1 MiB");
    }

    @Test
    void the_size_of_a_config_is_what_it_reads_as_not_what_its_header_says() throws IOException {
        byte[] archive = archive().sparse("build.yaml", "steps: []\n", 1000).bytes();

        assertThat(inspect(archive, SMALL).sizes()).containsEntry("build.yaml", 1000L);
    }

    @Test
    void sizes_read_as_people_write_them() {
        assertThat(Sizes.parse("4GiB")).contains(4L << 30);
        assertThat(Sizes.parse("4g")).contains(4L << 30);
        assertThat(Sizes.parse("512 MiB")).contains(512L << 20);
        assertThat(Sizes.parse("1048576")).contains(1L << 20);
        assertThat(Sizes.parse("4GB")).isEmpty();
        assertThat(Sizes.parse("-1")).isEmpty();
        assertThat(Sizes.parse("99999999999T")).isEmpty();
        assertThat(Sizes.format(4L << 30)).isEqualTo("4 GiB");
        assertThat(Sizes.format(1536L << 10)).isEqualTo("1536 KiB");
        assertThat(Sizes.format(1000)).isEqualTo("1000 bytes");
    }
}
