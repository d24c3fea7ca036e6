package dev.kiln.server.disk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.spec.archive.Sizes;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The floor as the flag says it, and the refusal's words; free space comes from a probe the test sets. */
class DiskFloorTest {
    private static final long MIB = 1L << 20;
    private static final long GIB = 1L << 30;

    @Test
    void the_default_floor_is_the_smaller_of_1_gib_and_5_percent_of_the_disk() {
        assertThat(MinFree.DEFAULT.floor(100 * GIB)).isEqualTo(GIB);
        assertThat(MinFree.DEFAULT.floor(8 * GIB)).isEqualTo(8 * GIB / 20);
        assertThat(MinFree.DEFAULT.describe()).isEqualTo("the smaller of 1 GiB and 5% of the disk");
    }

    @Test
    void the_flag_takes_a_size_a_percentage_or_zero_and_names_itself_when_it_is_neither() {
        assertThat(MinFree.parse("2GiB").floor(100 * GIB)).isEqualTo(2 * GIB);
        assertThat(MinFree.parse("2GiB").describe()).isEqualTo("2 GiB");
        assertThat(MinFree.parse("10%").floor(100 * GIB)).isEqualTo(10 * GIB);
        assertThat(MinFree.parse("10%").describe()).isEqualTo("10% of the disk");
        assertThat(MinFree.parse("0").floor(100 * GIB)).isZero();
        assertThat(MinFree.parse("0").describe()).isEqualTo("off");
        assertThatThrownBy(() -> MinFree.parse("lots")).hasMessage(
                "--min-free-disk: 'lots' is neither a size nor a percentage (say 2GiB or 5%)");
        assertThatThrownBy(() -> MinFree.parse("150%")).hasMessageContaining("between 0 and 100");
    }

    @Test
    void below_the_floor_new_work_is_refused_saying_how_much_is_free_and_what_cleans_up() throws Exception {
        long[] free = {512 * MIB};
        DiskFloor floor = new DiskFloor(Path.of("."), dir -> new DiskSpace.Space(free[0], 100 * GIB), MinFree.DEFAULT,
                "old builds are removed after 30 days");
        assertThatThrownBy(floor::check).isInstanceOf(DiskFloor.DiskFullException.class).hasMessage(
                "the server's disk is nearly full: 512 MiB free of 100 GiB, below the 1 GiB floor (--min-free-disk);"
                        + " old builds are removed after 30 days — see kiln server status");
        free[0] = GIB;
        floor.check();   // at the floor is not below it
        DiskFloor unreadable = new DiskFloor(Path.of("."), dir -> {
            throw new java.io.IOException("no such file system");
        }, MinFree.DEFAULT, "");
        unreadable.check();   // a disk it cannot read is no reason to refuse work
    }

    @Test
    void sizes_read_as_an_operator_reads_them() {
        assertThat(Sizes.human(900)).isEqualTo("900 bytes");
        assertThat(Sizes.human(512 * MIB)).isEqualTo("512 MiB");
        assertThat(Sizes.human(3 * GIB / 2)).isEqualTo("1.5 GiB");
        assertThat(Sizes.human(100 * GIB + 1)).isEqualTo("100 GiB");
    }
}
