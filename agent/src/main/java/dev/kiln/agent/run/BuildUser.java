package dev.kiln.agent.run;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Optional;

/**
 * The unprivileged user process steps run as when the agent runs as root, so that a step can read
 * neither the server's data directory nor the agent's token (nor the agent's own environment in
 * {@code /proc}). Created as a system user when it does not exist yet, with a home of its own
 * ({@code /var/lib/NAME}) where tools keep their caches between builds (Maven's ~/.m2, pip's
 * cache), as on any CI agent: Java reads its home from the user database, not from $HOME.
 */
public record BuildUser(String name, int uid, int gid, Path home) {
    public static final String DEFAULT = "kiln-build";

    /** Whether this process runs as root (and so can, and must, hand steps to another user). */
    public static boolean isRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** The build user for this process: {@code name} (made if missing) when root, else none. */
    public static Optional<BuildUser> forThisProcess(String name) throws IOException {
        if (!isRoot()) {
            return Optional.empty();
        }
        if (!name.matches("[a-z_][a-z0-9_-]{0,31}")) {
            throw new IOException("build user '" + name + "' is not a valid user name");
        }
        Path home = Path.of("/var/lib", name);
        if (id("-u", name).isEmpty()) {
            run(List.of("useradd", "--system", "--home-dir", home.toString(), "--shell", "/usr/sbin/nologin",
                    "--user-group", name));
        }
        String uid = id("-u", name).orElseThrow(() -> new IOException("could not create the build user '" + name + "'"));
        if (uid.equals("0")) {
            throw new IOException("the build user '" + name + "' is root; name an unprivileged user");
        }
        BuildUser user = new BuildUser(name, Integer.parseInt(uid), Integer.parseInt(id("-g", name).orElseThrow()),
                homeOf(name).orElse(home));
        if (user.home().toString().equals("/nonexistent")) {
            // A user made by an earlier Kiln without a home: give it one, or Java tools in steps fail.
            run(List.of("usermod", "--home", home.toString(), name));
            user = new BuildUser(user.name(), user.uid(), user.gid(), home);
        }
        if (!Files.isDirectory(user.home())) {
            Files.createDirectories(user.home());
            Files.setPosixFilePermissions(user.home(), java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            user.chown(user.home());
        }
        return Optional.of(user);
    }

    /** The home directory the user database gives {@code name}. */
    private static Optional<Path> homeOf(String name) throws IOException {
        Process p = new ProcessBuilder("getent", "passwd", name).redirectErrorStream(true).start();
        try {
            String[] fields = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip().split(":");
            return p.waitFor() == 0 && fields.length >= 6 && !fields[5].isEmpty() ? Optional.of(Path.of(fields[5])) : Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /**
     * Refuses a work directory this user could not enter: steps run there, and a directory on the
     * way that only root may enter (such as /root) would fail every step with "Permission denied".
     */
    public void checkCanReach(Path dir) throws IOException {
        for (Path p = dir.toAbsolutePath().normalize(); p != null; p = p.getParent()) {
            if (Files.exists(p) && !Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                throw new IOException("steps run as the build user '" + name + "', who cannot enter " + p
                        + " on the way to the work directory " + dir + "; choose a work directory that others can reach");
            }
        }
    }

    /** The command prefix that runs what follows as this user, with no way back to more rights. */
    List<String> prefix() {
        return List.of("/usr/bin/setpriv", "--reuid=" + uid, "--regid=" + gid, "--clear-groups", "--no-new-privs", "--");
    }

    /** Gives {@code dir} and everything under it to this user (links themselves, never what they point to). */
    public void own(Path dir) throws IOException {
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                chown(d);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                chown(f);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private void chown(Path p) throws IOException {
        Files.setAttribute(p, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(p, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
    }

    private static Optional<String> id(String flag, String name) throws IOException {
        Process p = new ProcessBuilder("id", flag, name).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return p.waitFor() == 0 ? Optional.of(out) : Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static void run(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (p.waitFor() != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
