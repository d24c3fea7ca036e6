package dev.kiln.agent.production;

import dev.kiln.spec.archive.Sizes;
import dev.kiln.spec.protocol.AgentApi;
import dev.kiln.spec.protocol.ArtifactPaths;
import dev.kiln.spec.protocol.ProductionListing;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The built-in step {@code kiln/production-artifacts}: downloads the files of the repo's current
 * production model into {@code /workspace/DIR/}, each at its path, each checked against the SHA-256
 * the server listed. With no production model (or a build of no repo) it says so and leaves an empty
 * directory, so that an evaluation step can test for the file.
 *
 * <p>The agent may run as root while the build's steps do not, and an earlier step may have left a
 * symbolic link where a file goes: no directory on the way may be a link, each file is written beside
 * its place and renamed over it (a rename replaces a link rather than writing through it), and what is
 * made is given to the workspace's owner.
 */
public final class ProductionFetch {
    private final AgentApi api;
    private final String buildId;
    private final String leaseId;
    private volatile boolean stopped;
    private volatile InputStream current;

    public ProductionFetch(AgentApi api, String buildId, String leaseId) {
        this.api = api;
        this.buildId = buildId;
        this.leaseId = leaseId;
    }

    /** A failure the step's log explains in full. */
    static final class Refused extends IOException {
        Refused(String message) {
            super(message);
        }
    }

    /** Fetches into {@code dir} (relative to {@code workspace}), telling {@code log}; the step's exit code. */
    public int run(Path workspace, String dir, PrintStream log) {
        try {
            fetch(workspace.toRealPath(), dir, log);
            return 0;
        } catch (Refused e) {
            log.println("kiln: " + e.getMessage());
        } catch (IOException e) {
            log.println(stopped ? "kiln: stopped while fetching the production model" : "kiln: could not fetch the"
                    + " production model: " + e.getMessage());
        }
        return 1;
    }

    /** Stops a fetch under way: the download in progress is closed, and nothing more is written. */
    public void stop() {
        stopped = true;
        InputStream in = current;
        if (in != null) {
            try {
                in.close();
            } catch (IOException ignored) {
                // closing is all that is wanted
            }
        }
    }

    private void fetch(Path root, String dir, PrintStream log) throws IOException {
        String shown = dir.replaceAll("/+$", "") + "/";
        Path target = directory(root, dir);
        ProductionListing p = api.production(buildId, leaseId);
        if (!p.exists()) {
            log.println(p.repo() == null ? "kiln: this build is of no repo (kiln submit), so it has no production model:"
                    + " nothing fetched into " + shown : "kiln: no production model yet for " + p.repo()
                    + ": nothing fetched into " + shown);
            return;
        }
        String which = p.repo() + " production v" + p.version() + " (commit " + shortSha(p.commit()) + ", build "
                + p.buildId() + ")";
        if (p.artifacts().isEmpty()) {
            log.println("kiln: " + which + " kept no artifacts: nothing fetched into " + shown);
            return;
        }
        for (ProductionListing.Artifact a : p.artifacts()) {
            String problem = ArtifactPaths.problem(a.path());
            if (problem != null) {
                throw new Refused("the server listed '" + a.path() + "' as a file of " + which + ": " + problem
                        + "; nothing more fetched");
            }
        }
        for (ProductionListing.Artifact a : p.artifacts()) {
            if (stopped) {
                throw new IOException("stopped");
            }
            write(root, target, p.buildId(), a);
            log.println("kiln:   " + shown + a.path() + " (" + Sizes.human(a.size()) + ", sha256 " + a.sha256() + ")");
        }
        log.println("kiln: fetched " + p.artifacts().size() + " artifact" + (p.artifacts().size() == 1 ? "" : "s")
                + " of " + which + " into " + shown);
    }

    /** {@code dir} made in the workspace, no part of it a link; given to the workspace's owner. */
    private static Path directory(Path root, String dir) throws IOException {
        Path target = root.resolve(dir).normalize();
        if (!target.startsWith(root) || target.equals(root)) {
            throw new Refused("dir '" + dir + "' is not a directory inside the workspace");
        }
        return made(root, root.relativize(target), root);
    }

    /** Each part of {@code relative} under {@code base} made a directory if missing; refused if one is a link or a file. */
    private static Path made(Path root, Path relative, Path base) throws IOException {
        Path at = base;
        for (Path part : relative) {
            at = at.resolve(part.toString());
            if (Files.isSymbolicLink(at)) {
                throw new Refused(root.relativize(at) + " is a symbolic link; the production model's files are not"
                        + " written through one");
            }
            if (!Files.exists(at, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectory(at);
                Owner.of(root).give(at);
            } else if (!Files.isDirectory(at, LinkOption.NOFOLLOW_LINKS)) {
                throw new Refused(root.relativize(at) + " is a file where the production model needs a directory");
            }
        }
        return at;
    }

    private void write(Path root, Path target, String productionBuild, ProductionListing.Artifact a) throws IOException {
        Path rel = Path.of(a.path());
        Path parent = rel.getParent() == null ? target : made(root, rel.getParent(), target);
        Path file = parent.resolve(rel.getFileName().toString());
        Path part = Files.createTempFile(parent, ".kiln-", ".part");
        try {
            MessageDigest sha = sha256();
            long size = 0;
            try (InputStream in = api.productionFile(buildId, leaseId, productionBuild, a.path());
                 OutputStream out = Files.newOutputStream(part)) {
                current = in;
                if (stopped) {
                    throw new IOException("stopped");
                }
                byte[] buf = new byte[64 * 1024];
                for (int n; (n = in.read(buf)) >= 0; ) {
                    out.write(buf, 0, n);
                    sha.update(buf, 0, n);
                    size += n;
                }
            } finally {
                current = null;
            }
            String got = HexFormat.of().formatHex(sha.digest());
            if (size != a.size() || !got.equalsIgnoreCase(a.sha256())) {
                throw new Refused(a.path() + ": got " + size + " bytes with SHA-256 " + got + ", but the production"
                        + " build lists " + a.size() + " bytes with SHA-256 " + a.sha256() + "; not kept");
            }
            Files.setPosixFilePermissions(part, PosixFilePermissions.fromString("rw-r--r--"));
            Owner.of(root).give(part);
            Files.move(part, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(part);
        }
    }

    private static String shortSha(String sha) {
        return sha == null ? "unknown" : sha.length() > 7 ? sha.substring(0, 7) : sha;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
