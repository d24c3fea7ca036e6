package dev.kiln.spec.archive;

import static dev.kiln.spec.archive.Tgz.archive;

import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * Archives that the server's check and the agent's unpacking must judge alike: every hostile one
 * refused by both, the safe one accepted by both.
 */
public final class Archives {
    private Archives() {}

    /**
     * Each as (what it is, its {@link Tgz}). {@code base}: the directory a workspace sits in, which
     * absolute names and links aim at; {@code tmpEscape}: an absolute name straight into /tmp.
     */
    public static Stream<Arguments> hostile(Path base, String tmpEscape) {
        String abs = base.resolve("absolute-" + System.nanoTime() + ".txt").toString();
        return Stream.of(
                Arguments.of("a file entry '../x'", archive().file("ok.txt", "fine").file("../x.txt", "escaped")),
                Arguments.of("a file entry nested then '..'", archive().file("a/../../x.txt", "escaped")),
                Arguments.of("an absolute file entry", archive().file(abs, "escaped")),
                Arguments.of("an absolute file entry under /tmp", archive().file(tmpEscape, "x")),
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

    /** Links that stay inside, one written through, a leading "./", an executable: 3 files in all. */
    public static byte[] safe() {
        return archive()
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
    }
}
