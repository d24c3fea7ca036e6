package dev.kiln.spec.archive;

import static dev.kiln.spec.archive.Tgz.archive;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SourceInspectorTest {

    static Stream<Arguments> hostileArchives() {
        return Archives.hostile(Path.of("/tmp/kiln-base"), "/tmp/kiln-escape");
    }

    @ParameterizedTest(name = "unsafeEntries lists {0}")
    @MethodSource("hostileArchives")
    void unsafeEntriesListsEveryHostileArchive(String what, Tgz archive) throws IOException {
        assertThat(SourceInspector.unsafeEntries(new ByteArrayInputStream(archive.bytes()))).isNotEmpty();
    }

    @Test
    void unsafe_entries_names_the_bad_entries_and_only_those() throws IOException {
        byte[] bytes = archive()
                .file("ok.txt", "fine")
                .dir("sub")
                .symlink("sub/inside", "../ok.txt")
                .file("../up.txt", "x")
                .file("/abs.txt", "x")
                .symlink("etc", "/etc")
                .symlink("sub/out", "../..")
                .hardLink("hard", "ok.txt")
                .file("sub/fine.txt", "fine")
                .bytes();

        List<String> bad = SourceInspector.unsafeEntries(new ByteArrayInputStream(bytes));

        assertThat(bad).hasSize(5);
        assertThat(bad.get(0)).startsWith("../up.txt");
        assertThat(bad.get(1)).startsWith("/abs.txt");
        assertThat(bad.get(2)).isEqualTo("etc -> /etc");
        assertThat(bad.get(3)).isEqualTo("sub/out -> ../..");
        assertThat(bad.get(4)).isEqualTo("hard (hard link)");
    }

    @Test
    void a_safe_archive_has_no_unsafe_entries() throws IOException {
        assertThat(SourceInspector.unsafeEntries(new ByteArrayInputStream(Archives.safe()))).isEmpty();
    }

    @Test
    void inspect_reads_the_named_files_with_their_whole_sizes() throws IOException {
        byte[] bytes = archive().file("./build.yaml", "steps: []\n").file("other.yaml", "x").bytes();

        SourceInspector.Inspection got = SourceInspector.inspect(new ByteArrayInputStream(bytes),
                List.of("build.yaml", "cloudbuild.yaml"), 4, ArchiveLimits.DEFAULTS);

        assertThat(got.unsafe()).isEmpty();
        assertThat(got.files()).containsOnlyKeys("build.yaml");
        assertThat(new String(got.files().get("build.yaml"), StandardCharsets.UTF_8)).isEqualTo("step");
        assertThat(got.sizes()).containsEntry("build.yaml", 10L);
    }

    @Test
    void read_file_finds_a_regular_file_with_or_without_a_leading_dot_slash() throws IOException {
        byte[] bytes = archive()
                .file("./cloudbuild.yaml", "steps: []\n")
                .file("sub/build.yaml", "steps: [x]\n")
                .dir("dir.yaml")
                .symlink("link.yaml", "cloudbuild.yaml")
                .bytes();

        assertThat(read(bytes, "cloudbuild.yaml", 1000)).contains("steps: []\n");
        assertThat(read(bytes, "./sub/build.yaml", 1000)).contains("steps: [x]\n");
        assertThat(read(bytes, "sub//build.yaml", 1000)).contains("steps: [x]\n");
        assertThat(read(bytes, "build.yaml", 1000)).isEmpty();
        assertThat(read(bytes, "dir.yaml", 1000)).isEmpty();
        assertThat(read(bytes, "link.yaml", 1000)).isEmpty();
    }

    @Test
    void read_file_returns_no_more_than_its_limit_so_a_caller_can_tell_a_file_is_too_big() throws IOException {
        String big = "x".repeat(100_000);
        byte[] bytes = archive().file("big.yaml", big).file("small.yaml", "0123456789").bytes();

        Optional<byte[]> cut = SourceInspector.readFile(new ByteArrayInputStream(bytes), "big.yaml", 1001);
        Optional<byte[]> exact = SourceInspector.readFile(new ByteArrayInputStream(bytes), "small.yaml", 10);

        assertThat(cut).hasValueSatisfying(b -> assertThat(b).hasSize(1001));
        assertThat(exact).hasValueSatisfying(b -> assertThat(new String(b, StandardCharsets.UTF_8)).isEqualTo("0123456789"));
    }

    private static Optional<String> read(byte[] archive, String name, int limit) throws IOException {
        return SourceInspector.readFile(new ByteArrayInputStream(archive), name, limit)
                .map(b -> new String(b, StandardCharsets.UTF_8));
    }

    @Test
    void an_empty_upload_or_one_that_is_not_gzip_says_which() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> SourceInspector.unsafeEntries(new ByteArrayInputStream(new byte[0])))
                .isInstanceOf(IOException.class).hasMessage("it is empty (0 bytes)");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> SourceInspector.unsafeEntries(new ByteArrayInputStream("steps: []\n".getBytes())))
                .isInstanceOf(IOException.class).hasMessage("it does not start with a gzip header");
    }
}
