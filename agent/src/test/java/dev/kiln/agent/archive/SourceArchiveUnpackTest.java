package dev.kiln.agent.archive;

import static dev.kiln.spec.archive.Tgz.archive;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.spec.archive.Archives;
import dev.kiln.spec.archive.Tgz;
import dev.kiln.spec.archive.UnsafeArchiveException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
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
        return Archives.hostile(base, TMP_ESCAPE);
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

    @Test
    void unpack_says_which_entry_it_refuses_and_why() {
        assertThatThrownBy(() -> unpack(archive().file("../x.txt", "x")))
                .hasMessage("archive entry '../x.txt' points outside the workspace");
        assertThatThrownBy(() -> unpack(archive().file("a.txt", "a").hardLink("h", "a.txt")))
                .hasMessage("archive entry 'h' is a hard link; not allowed");
        assertThatThrownBy(() -> unpack(archive().symlink("etc", "/etc")))
                .hasMessage("archive entry 'etc' is a link to '/etc', outside the workspace or possibly so (its target is absolute)");
        assertThatThrownBy(() -> unpack(archive().file("a.txt", "a").symlink("l", "a.txt").file("l", "b")))
                .hasMessage("archive entry 'l' would write through a link");
    }

    @Test
    void a_safe_archive_unpacks_fully() throws IOException {
        byte[] bytes = Archives.safe();

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

    private int unpack(Tgz archive) throws IOException {
        return SourceArchive.unpack(new ByteArrayInputStream(archive.bytes()), workspace);
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
