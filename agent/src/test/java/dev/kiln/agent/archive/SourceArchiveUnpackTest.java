package dev.kiln.agent.archive;

import static dev.kiln.agent.archive.Tgz.archive;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SourceArchiveUnpackTest {

    /** The parent of the workspace: nothing may ever appear here but the workspace itself. */
    @TempDir
    static Path base;

    /** An absolute name straight into /tmp, checked after every refusal. */
    static final String TMP_ESCAPE = "/tmp/kiln-escape-" + java.util.UUID.randomUUID();

    Path workspace;
    Set<String> before;

    @BeforeEach
    void freshWorkspace() throws IOException {
        workspace = Files.createTempDirectory(base, "ws");
        before = outside();
    }

    static Stream<Arguments> hostileArchives() {
        String abs = base.resolve("absolute-" + System.nanoTime() + ".txt").toString();
        return Stream.of(
                Arguments.of("a file entry '../x'", archive().file("ok.txt", "fine").file("../x.txt", "escaped")),
                Arguments.of("a file entry nested then '..'", archive().file("a/../../x.txt", "escaped")),
                Arguments.of("an absolute file entry", archive().file(abs, "escaped")),
                Arguments.of("an absolute file entry under /tmp", archive().file(TMP_ESCAPE, "x")),
                Arguments.of("an absolute symlink", archive().symlink("etc", "/etc")),
                Arguments.of("an absolute symlink then a write through it",
                        archive().symlink("out", base.toString()).file("out/escape.txt", "escaped")),
                Arguments.of("a symlink up and out", archive().symlink("up", "..")),
                Arguments.of("a nested symlink up and out", archive().dir("sub").symlink("sub/up", "../../x")),
                Arguments.of("a symlink out then a write through it",
                        archive().symlink("d", "..").file("d/escape.txt", "escaped")),
                Arguments.of("a symlink out then a directory through it",
                        archive().symlink("d", "..").dir("d/escape-dir")),
                Arguments.of("a hard link to a file inside", archive().file("a.txt", "a").hardLink("h", "a.txt")),
                Arguments.of("a hard link to a file outside", archive().hardLink("h", "/etc/passwd")),
                Arguments.of("a file written over a symlink",
                        archive().file("a.txt", "a").symlink("l", "a.txt").file("l", "replaced")),
                // A link that points inside lexically, but whose parent is itself a link further up.
                Arguments.of("a symlink placed through a link that climbs",
                        archive().dir("x/y").symlink("x/y/a", "../..").symlink("x/y/a/l", "..")),
                Arguments.of("a directory created through a link placed through a link that climbs",
                        archive().dir("x/y").symlink("x/y/a", "../..").symlink("x/y/a/l", "..")
                                .file("x/y/a/l/escape-dir/f.txt", "escaped")),
                // A link whose target goes through another link and then up.
                Arguments.of("a symlink whose target climbs through another link",
                        archive().dir("x/y").symlink("x/y/a", "../..").symlink("x/y/l", "a/..")),
                Arguments.of("a symlink whose target climbs through a link made after it",
                        archive().dir("x/y").symlink("x/y/l", "a/..").symlink("x/y/a", "../..")));
    }

    @ParameterizedTest(name = "unpack refuses {0} and writes nothing outside")
    @MethodSource("hostileArchives")
    void unpackRefusesAHostileArchiveAndWritesNothingOutside(String what, Tgz archive) throws IOException {
        byte[] bytes = archive.bytes();

        assertThatThrownBy(() -> SourceArchive.unpack(new ByteArrayInputStream(bytes), workspace))
                .isInstanceOf(UnsafeArchiveException.class);

        assertThat(outside()).isEqualTo(before);
        assertThat(Path.of(TMP_ESCAPE)).doesNotExist();
        assertNoLinkLeadsOut();
    }

    @ParameterizedTest(name = "unsafeEntries lists {0}")
    @MethodSource("hostileArchives")
    void unsafeEntriesListsEveryHostileArchive(String what, Tgz archive) throws IOException {
        assertThat(SourceArchive.unsafeEntries(new ByteArrayInputStream(archive.bytes()))).isNotEmpty();
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

        List<String> bad = SourceArchive.unsafeEntries(new ByteArrayInputStream(bytes));

        assertThat(bad).hasSize(5);
        assertThat(bad.get(0)).startsWith("../up.txt");
        assertThat(bad.get(1)).startsWith("/abs.txt");
        assertThat(bad.get(2)).isEqualTo("etc -> /etc");
        assertThat(bad.get(3)).isEqualTo("sub/out -> ../..");
        assertThat(bad.get(4)).isEqualTo("hard (hard link)");
    }

    @Test
    void a_safe_archive_has_no_unsafe_entries_and_unpacks_fully() throws IOException {
        byte[] bytes = archive()
                .dir("./")
                .file("./a.txt", "a")
                .dir("sub")
                .file("sub/run.sh", "#!/bin/sh\n", 0755)
                .symlink("sub/up", "../a.txt")
                .symlink("sub/self", ".")
                .symlink("dirlink", "sub")
                .file("dirlink/through.txt", "written through an inside link")
                .symlink("sub/again", "./run.sh")
                .bytes();

        assertThat(SourceArchive.unsafeEntries(new ByteArrayInputStream(bytes))).isEmpty();
        int files = SourceArchive.unpack(new ByteArrayInputStream(bytes), workspace);

        assertThat(files).isEqualTo(3);
        assertThat(workspace.resolve("sub/up")).isSymbolicLink().hasContent("a");
        assertThat(Files.readSymbolicLink(workspace.resolve("sub/up"))).isEqualTo(Path.of("../a.txt"));
        assertThat(workspace.resolve("sub/through.txt")).hasContent("written through an inside link");
        assertThat(Files.getPosixFilePermissions(workspace.resolve("sub/run.sh")))
                .contains(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_EXECUTE);
        assertThat(Files.getPosixFilePermissions(workspace.resolve("a.txt")))
                .doesNotContain(PosixFilePermission.OWNER_EXECUTE);
        assertThat(outside()).isEqualTo(before);
    }

    @Test
    void unpack_creates_a_missing_target_directory() throws IOException {
        Path target = workspace.resolve("not/yet");

        SourceArchive.unpack(new ByteArrayInputStream(archive().file("a.txt", "a").bytes()), target);

        assertThat(target.resolve("a.txt")).hasContent("a");
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

        Optional<byte[]> cut = SourceArchive.readFile(new ByteArrayInputStream(bytes), "big.yaml", 1001);
        Optional<byte[]> exact = SourceArchive.readFile(new ByteArrayInputStream(bytes), "small.yaml", 10);

        assertThat(cut).hasValueSatisfying(b -> assertThat(b).hasSize(1001));
        assertThat(exact).hasValueSatisfying(b -> assertThat(new String(b, StandardCharsets.UTF_8)).isEqualTo("0123456789"));
    }

    private static Optional<String> read(byte[] archive, String name, int limit) throws IOException {
        return SourceArchive.readFile(new ByteArrayInputStream(archive), name, limit)
                .map(b -> new String(b, StandardCharsets.UTF_8));
    }

    /** Every path under the workspace's parent, other than inside the workspace. */
    private Set<String> outside() throws IOException {
        try (Stream<Path> s = Files.walk(base)) {
            return s.filter(p -> !p.startsWith(workspace))
                    .map(Path::toString)
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    private void assertNoLinkLeadsOut() throws IOException {
        Path root = workspace.toRealPath();
        try (Stream<Path> s = Files.walk(workspace)) {
            for (Path p : s.filter(Files::isSymbolicLink).toList()) {
                Path target = p.getParent().toRealPath().resolve(Files.readSymbolicLink(p)).normalize();
                if (Files.exists(p)) {
                    target = p.toRealPath();
                }
                assertThat(target).as("link %s", p).startsWith(root);
            }
        }
    }
}
