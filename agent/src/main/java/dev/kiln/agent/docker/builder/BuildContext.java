package dev.kiln.agent.docker.builder;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * A build context as the docker CLI sends it: an uncompressed tar of the context directory,
 * without what {@code .dockerignore} excludes (the Dockerfile and {@code .dockerignore} always go),
 * owned by root, modes and times kept, symbolic links as links. Streamed as it is written:
 * docker-java's own context tar is gzipped into a temp file first, which made a build with a
 * large context take twice as long as the CLI's.
 */
final class BuildContext {
    private final Path root;
    private final List<Rule> rules;
    private final Set<String> alwaysSent;

    private record Rule(Pattern pattern, boolean exclude) {}

    private BuildContext(Path root, List<Rule> rules, Set<String> alwaysSent) {
        this.root = root;
        this.rules = rules;
        this.alwaysSent = alwaysSent;
    }

    /** {@code dockerfile}: inside {@code root}. */
    static BuildContext of(Path root, Path dockerfile) throws IOException {
        List<Rule> rules = new ArrayList<>();
        Path ignore = root.resolve(".dockerignore");
        if (Files.isRegularFile(ignore)) {
            for (String line : Files.readAllLines(ignore)) {
                String p = line.strip();
                if (p.isEmpty() || p.startsWith("#")) {
                    continue;
                }
                boolean exclude = !p.startsWith("!");
                p = clean(exclude ? p : p.substring(1).strip());
                if (!p.isEmpty()) {
                    rules.add(new Rule(glob(p), exclude));
                }
            }
        }
        return new BuildContext(root, rules, Set.of(root.relativize(dockerfile).toString().replace('\\', '/'), ".dockerignore"));
    }

    /** Whether {@code rel} (a path inside the context, with /) is left out. The last matching rule wins, as in Docker. */
    boolean excluded(String rel) {
        if (alwaysSent.contains(rel)) {
            return false;
        }
        boolean out = false;
        for (Rule r : rules) {
            if (matches(r.pattern(), rel)) {
                out = r.exclude();
            }
        }
        return out;
    }

    /** A rule matches a path or any directory above it: "build" leaves out all of build/. */
    private static boolean matches(Pattern p, String rel) {
        String s = rel;
        while (true) {
            if (p.matcher(s).matches()) {
                return true;
            }
            int slash = s.lastIndexOf('/');
            if (slash < 0) {
                return false;
            }
            s = s.substring(0, slash);
        }
    }

    /** The tar, written by a thread of its own as the reader takes it; a failure shows as an IOException to the reader. */
    InputStream stream() throws IOException {
        PipedInputStream in = new PipedInputStream(1 << 20);
        PipedOutputStream out = new PipedOutputStream(in);
        AtomicReference<IOException> failed = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try (out) {
                write(out);
            } catch (IOException e) {
                failed.set(e);
            }
        }, "kiln-build-context");
        t.setDaemon(true);
        t.start();
        return new java.io.FilterInputStream(in) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n < 0 && failed.get() != null) {
                    throw new IOException("could not read the build context: " + failed.get().getMessage(), failed.get());
                }
                return n;
            }
        };
    }

    void write(OutputStream sink) throws IOException {
        TarArchiveOutputStream tar = new TarArchiveOutputStream(sink);
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (!dir.equals(root)) {
                    String rel = rel(dir);
                    // A directory left out may still hold an exception ("!build/keep"): walk it when any rule could bring something back.
                    boolean out = excluded(rel);
                    if (out && rules.stream().noneMatch(r -> !r.exclude())) {
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    if (!out) {
                        add(tar, dir, rel + "/", attrs);
                    }
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                String rel = rel(file);
                if (!excluded(rel)) {
                    add(tar, file, rel, attrs);
                }
                return FileVisitResult.CONTINUE;
            }
        });
        tar.finish();
        tar.flush();
    }

    private String rel(Path p) {
        return root.relativize(p).toString().replace('\\', '/');
    }

    private static void add(TarArchiveOutputStream tar, Path p, String name, BasicFileAttributes attrs) throws IOException {
        TarArchiveEntry e;
        if (attrs.isSymbolicLink()) {
            e = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
            e.setLinkName(Files.readSymbolicLink(p).toString());
        } else {
            e = new TarArchiveEntry(name);
            if (attrs.isRegularFile()) {
                e.setSize(attrs.size());
            } else if (!attrs.isDirectory()) {
                return; // sockets, fifos: the CLI sends none either
            }
        }
        e.setModTime(attrs.lastModifiedTime().toMillis());
        e.setMode(mode(p, attrs));
        e.setIds(0, 0);
        tar.putArchiveEntry(e);
        if (attrs.isRegularFile()) {
            Files.copy(p, tar);
        }
        tar.closeArchiveEntry();
    }

    private static int mode(Path p, BasicFileAttributes attrs) throws IOException {
        int type = attrs.isDirectory() ? 040000 : attrs.isSymbolicLink() ? 0120000 : 0100000;
        int bits = 0;
        for (PosixFilePermission perm : Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS)) {
            bits |= 1 << (8 - perm.ordinal());
        }
        return type | bits;
    }

    /** A .dockerignore pattern cleaned as Go's filepath.Clean would, without a leading slash. */
    private static String clean(String p) {
        String s = p.replace('\\', '/').replaceAll("/+", "/");
        while (s.startsWith("/")) {
            s = s.substring(1);
        }
        while (s.startsWith("./")) {
            s = s.substring(2);
        }
        if (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        return s.equals(".") ? "" : s;
    }

    /** Docker's pattern syntax: {@code *} and {@code ?} within one path part, {@code **} across parts, {@code [...]} classes. */
    static Pattern glob(String pattern) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '*' && i + 1 < pattern.length() && pattern.charAt(i + 1) == '*') {
                i++;
                if (i + 1 < pattern.length() && pattern.charAt(i + 1) == '/') {
                    i++;
                    re.append("(.*/)?");
                } else {
                    re.append(".*");
                }
            } else if (c == '*') {
                re.append("[^/]*");
            } else if (c == '?') {
                re.append("[^/]");
            } else if (c == '[') {
                int end = pattern.indexOf(']', i + 1);
                if (end < 0) {
                    re.append("\\[");
                } else {
                    String cls = pattern.substring(i + 1, end);
                    re.append('[').append(cls.startsWith("!") ? "^" + cls.substring(1) : cls).append(']');
                    i = end;
                }
            } else if (c == '\\' && i + 1 < pattern.length()) {
                re.append(Pattern.quote(String.valueOf(pattern.charAt(++i))));
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString());
    }
}
