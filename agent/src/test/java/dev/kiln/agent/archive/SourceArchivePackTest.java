package dev.kiln.agent.archive;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.spec.archive.SourceInspector;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourceArchivePackTest {

    @TempDir
    Path tmp;

    Path src;

    @BeforeEach
    void makeSourceTree() throws IOException {
        src = Files.createDirectory(tmp.resolve("src"));
        write(".gitignore", "# build output\n*.log\n!keep.log\nbuild/\n/top-only.txt\n\n");
        write(".kilnignore", "secret.txt\n");
        write(".gcloudignore", "*.tmp\n");
        write(".git/config", "[core]\n");
        write(".git/objects/ab/cdef", "blob");
        write("a.txt", "hello\n");
        write("app.log", "ignored\n");
        write("keep.log", "kept by negation\n");
        write("build/out.bin", "ignored dir\n");
        write("top-only.txt", "anchored, ignored at the top only\n");
        write("secret.txt", "ignored by .kilnignore\n");
        write("scratch.tmp", "ignored by .gcloudignore\n");
        write("run.sh", "#!/bin/sh\necho hi\n");
        Files.setPosixFilePermissions(src.resolve("run.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
        write("sub/.gitignore", "local.txt\n!important.log\n");
        write("sub/local.txt", "ignored by the nested .gitignore\n");
        write("sub/important.log", "re-included by the nested .gitignore\n");
        write("sub/other.log", "ignored by the top .gitignore\n");
        write("sub/data.txt", "data\n");
        write("sub/build", "a file called build: 'build/' only matches directories\n");
        write("sub/top-only.txt", "anchored rule does not reach here\n");
        write("sub/nested/build/gen.txt", "dir-only rule matches at any depth\n");
        write("sub/nested/secret.txt", "kilnignore rule without a slash matches at any depth\n");
        write("other/local.txt", "the nested rule does not apply to a sibling\n");
        write("vendor/lib/.git/HEAD", "ref: refs/heads/main\n");
        write("vendor/lib/code.txt", "vendored\n");
        Files.createDirectories(src.resolve("empty"));
        Files.createSymbolicLink(src.resolve("link-to-a"), Path.of("a.txt"));
        Files.createSymbolicLink(src.resolve("sub/up-link"), Path.of("../a.txt"));
        Files.createSymbolicLink(src.resolve("dir-link"), Path.of("sub"));
    }

    /** Every path the archive must leave out, relative to {@link #src}. */
    static final List<String> IGNORED = List.of(
            ".git", ".git/config", ".git/objects", ".git/objects/ab", ".git/objects/ab/cdef",
            "app.log", "build", "build/out.bin", "top-only.txt", "secret.txt", "scratch.tmp",
            "sub/local.txt", "sub/other.log", "sub/nested/build", "sub/nested/build/gen.txt",
            "sub/nested/secret.txt", "vendor/lib/.git", "vendor/lib/.git/HEAD");

    @Test
    void pack_leaves_out_what_the_ignore_files_and_git_say_and_keeps_the_rest() throws IOException {
        byte[] archive = pack();

        Map<String, TarArchiveEntry> entries = entries(archive);

        assertThat(entries.keySet()).doesNotContainAnyElementsOf(
                IGNORED.stream().flatMap(p -> Stream.of(p, p + "/")).toList());
        assertThat(entries.keySet()).contains(
                ".gitignore", ".kilnignore", ".gcloudignore", "a.txt", "keep.log", "run.sh",
                "sub/", "sub/.gitignore", "sub/important.log", "sub/data.txt", "sub/build", "sub/top-only.txt",
                "sub/nested/", "other/local.txt", "vendor/lib/code.txt", "empty/",
                "link-to-a", "sub/up-link", "dir-link");
    }

    @Test
    void pack_keeps_the_executable_bit_and_symlinks() throws IOException {
        Map<String, TarArchiveEntry> entries = entries(pack());

        assertThat(entries.get("run.sh").getMode() & 0111).isEqualTo(0111);
        assertThat(entries.get("a.txt").getMode() & 0111).isZero();
        assertThat(entries.get("link-to-a").isSymbolicLink()).isTrue();
        assertThat(entries.get("link-to-a").getLinkName()).isEqualTo("a.txt");
        assertThat(entries.get("sub/up-link").getLinkName()).isEqualTo("../a.txt");
        assertThat(entries.get("dir-link").isSymbolicLink()).isTrue();
        assertThat(entries.get("dir-link").getLinkName()).isEqualTo("sub");
    }

    @Test
    void pack_counts_regular_files_and_links_and_adds_up_the_file_bytes() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SourceArchive.Packed packed = SourceArchive.pack(src, out);

        Map<String, TarArchiveEntry> entries = entries(out.toByteArray());
        long files = entries.values().stream().filter(e -> e.isFile() || e.isSymbolicLink()).count();
        long bytes = entries.values().stream().filter(TarArchiveEntry::isFile).mapToLong(TarArchiveEntry::getSize).sum();
        long expectedBytes = 0;
        for (var e : describe(src).entrySet()) {
            if (e.getValue().startsWith("file") && !IGNORED.contains(e.getKey())) {
                expectedBytes += Files.size(src.resolve(e.getKey()));
            }
        }

        // 13 regular files and 3 links survive the ignore rules.
        assertThat(packed.files()).isEqualTo(16).isEqualTo((int) files);
        assertThat(packed.bytes()).isEqualTo(bytes).isEqualTo(expectedBytes);
    }

    @Test
    void pack_then_unpack_reproduces_the_tree_without_the_ignored_paths() throws IOException {
        byte[] archive = pack();
        Path copy = tmp.resolve("copy");

        int unpacked = SourceArchive.unpack(new ByteArrayInputStream(archive), copy);

        Map<String, String> expected = describe(src);
        expected.keySet().removeAll(IGNORED);
        assertThat(describe(copy)).isEqualTo(expected);
        assertThat(unpacked).isEqualTo(13);
        assertThat(Files.readString(copy.resolve("dir-link/data.txt"))).isEqualTo("data\n");
    }

    @Test
    void pack_of_an_empty_directory_unpacks_to_an_empty_directory() throws IOException {
        Path empty = Files.createDirectory(tmp.resolve("nothing"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        SourceArchive.Packed packed = SourceArchive.pack(empty, out);
        Path copy = tmp.resolve("nothing-copy");
        SourceArchive.unpack(new ByteArrayInputStream(out.toByteArray()), copy);

        assertThat(packed).isEqualTo(new SourceArchive.Packed(0, 0, List.of()));
        assertThat(copy).isEmptyDirectory();
    }

    private byte[] pack() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SourceArchive.pack(src, out);
        return out.toByteArray();
    }

    private void write(String rel, String content) throws IOException {
        Path p = src.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
    }

    static Map<String, TarArchiveEntry> entries(byte[] archive) throws IOException {
        Map<String, TarArchiveEntry> out = new TreeMap<>();
        try (var tar = new TarArchiveInputStream(new GZIPInputStream(new ByteArrayInputStream(archive)))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                out.put(e.getName(), e);
            }
        }
        return out;
    }

    /** Every path under root (links not followed) with its kind, content, executable bit or link target. */
    static Map<String, String> describe(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        List<Path> all = new ArrayList<>();
        try (Stream<Path> s = Files.walk(root)) {
            s.filter(p -> !p.equals(root)).forEach(all::add);
        }
        for (Path p : all) {
            String rel = root.relativize(p).toString();
            if (Files.isSymbolicLink(p)) {
                out.put(rel, "link -> " + Files.readSymbolicLink(p));
            } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                out.put(rel, "dir");
            } else {
                boolean x = Files.getPosixFilePermissions(p).contains(PosixFilePermission.OWNER_EXECUTE);
                out.put(rel, "file" + (x ? " (x) " : " ") + Files.readString(p));
            }
        }
        return out;
    }

    @Test
    void links_pointing_outside_the_directory_are_left_out_and_named() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("venv-repo"));
        Files.writeString(dir.resolve("train.py"), "print(1)\n");
        Files.createDirectories(dir.resolve(".venv/bin"));
        Files.createSymbolicLink(dir.resolve(".venv/bin/python"), Path.of("/usr/bin/python3"));
        Files.createSymbolicLink(dir.resolve("up"), Path.of("../elsewhere"));
        Files.createSymbolicLink(dir.resolve("inside"), Path.of("train.py"));

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SourceArchive.Packed packed = SourceArchive.pack(dir, out);

        assertThat(packed.skipped()).containsExactly(".venv/bin/python -> /usr/bin/python3", "up -> ../elsewhere");
        assertThat(packed.files()).isEqualTo(2);
        assertThat(SourceInspector.unsafeEntries(new ByteArrayInputStream(out.toByteArray()))).isEmpty();
    }

    @Test
    void links_are_judged_the_same_whether_the_directory_is_given_absolute_or_relative_with_dots() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("venv-repo"));
        Files.writeString(dir.resolve("train.py"), "print(1)\n");
        Files.createDirectories(dir.resolve("sub"));
        Files.createSymbolicLink(dir.resolve("inside"), Path.of("train.py"));
        Files.createSymbolicLink(dir.resolve("sub/up-inside"), Path.of("../train.py"));
        Files.createSymbolicLink(dir.resolve("up"), Path.of("../elsewhere"));
        Path cwd = Path.of("").toAbsolutePath();
        Path dotted = cwd.relativize(dir.resolve("sub/.."));   // ../../tmp/.../venv-repo/sub/..
        assertThat(dotted.isAbsolute()).isFalse();
        assertThat(dotted.toString()).startsWith("..");

        for (Path given : List.of(dir, dotted, dir.resolve("./sub/../."))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            SourceArchive.Packed packed = SourceArchive.pack(given, out);

            assertThat(packed.skipped()).as(given.toString()).containsExactly("up -> ../elsewhere");
            Map<String, TarArchiveEntry> entries = entries(out.toByteArray());
            assertThat(entries.get("inside").getLinkName()).as(given.toString()).isEqualTo("train.py");
            assertThat(entries.get("sub/up-inside").getLinkName()).as(given.toString()).isEqualTo("../train.py");
        }
    }
}
