package dev.kiln.server.artifacts;

import dev.kiln.server.store.Database;
import dev.kiln.spec.api.ArtifactView;
import dev.kiln.spec.archive.Sizes;
import dev.kiln.spec.protocol.ArtifactPaths;
import dev.kiln.spec.protocol.RefusedCallException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.IntFunction;
import org.jdbi.v3.core.Jdbi;

/**
 * The files builds kept: rows of (build, path, step, size, SHA-256) here, bytes in a {@link BlobStore}.
 * An upload and the removal of content no build uses any more take the same per-digest lock, so a
 * removal never takes content an upload has just placed and is about to record.
 */
public final class BuildArtifacts {
    private final Jdbi jdbi;
    private final Database db;
    private final BlobStore blobs;
    private final ArtifactLimits limits;
    private final Object[] buildLocks = stripes();
    private final Object[] blobLocks = stripes();

    /** An upload over a limit: the message names the file and the limit. */
    public static final class TooLargeException extends RefusedCallException {
        public TooLargeException(String message) {
            super(message);
        }
    }

    /** One stored artifact. {@code step} is null for the build's own {@code artifacts.objects}. */
    public record Stored(String buildId, String path, Integer step, long size, String sha256) {}

    public BuildArtifacts(Database db, BlobStore blobs, ArtifactLimits limits) {
        this.db = db;
        this.jdbi = db.jdbi();
        this.blobs = blobs;
        this.limits = limits;
    }

    public ArtifactLimits limits() {
        return limits;
    }

    /** Refuses, with the reason, a file of {@code size} bytes at {@code path} that {@link #upload} would refuse. */
    public void check(String buildId, String path, long size) throws IOException {
        String problem = ArtifactPaths.problem(path);
        if (problem != null) {
            throw new RefusedCallException(problem);
        }
        if (size > limits.perFile()) {
            throw fileTooLarge(path, size);
        }
        long used = used(buildId, path);
        if (size > limits.perBuild() - used) {
            throw buildTooLarge(path, size, used);
        }
    }

    /** Stores {@code in} as {@code path} of the build (a resend replaces it), within the build's and the file's limits. */
    public Stored upload(String buildId, Integer step, String path, long declaredSize, InputStream in) throws IOException {
        String problem = ArtifactPaths.problem(path);
        if (problem != null) {
            throw new RefusedCallException(problem);
        }
        long used = used(buildId, path);
        long room = Math.min(limits.perFile(), limits.perBuild() - used);
        if (declaredSize > limits.perFile()) {
            throw fileTooLarge(path, declaredSize);
        }
        if (declaredSize > room) {
            throw buildTooLarge(path, declaredSize, used);
        }
        BlobStore.Pending p;
        try {
            p = blobs.write(in, room);
        } catch (BlobStore.TooLargeException e) {
            throw room == limits.perFile() ? fileTooLarge(path, -1) : buildTooLarge(path, -1, used);
        }
        synchronized (buildLocks[stripe(buildId)]) {
            // Checked again with the file's real size: steps running at once upload side by side.
            long now = used(buildId, path);
            if (p.size() + now > limits.perBuild()) {
                blobs.discard(p);
                throw buildTooLarge(path, p.size(), now);
            }
            if (count(buildId, path) >= ArtifactLimits.MAX_FILES) {
                blobs.discard(p);
                throw new TooLargeException("artifact " + path + ": the build already keeps " + ArtifactLimits.MAX_FILES
                        + " files, the most a build may keep");
            }
            synchronized (blobLocks[stripe(p.sha256())]) {
                blobs.place(p);
                Database.under(db.visibility().writeLock(), () -> jdbi.inTransaction(h -> {
                    h.createUpdate("delete from build_artifacts where build_id = :b and path = :p")
                            .bind("b", buildId).bind("p", path).execute();
                    return h.createUpdate("insert into build_artifacts (build_id, path, step, size, sha256)"
                                    + " values (:b, :p, :s, :n, :h)")
                            .bind("b", buildId).bind("p", path).bind("s", step).bind("n", p.size()).bind("h", p.sha256())
                            .execute();
                }));
            }
        }
        return new Stored(buildId, path, step, p.size(), p.sha256());
    }

    /** The build's artifacts by path. */
    public List<Stored> list(String buildId) {
        return Database.under(db.visibility().readLock(), () -> jdbi.withHandle(h ->
                h.createQuery("select path, step, size, sha256 from build_artifacts where build_id = :b order by path")
                        .bind("b", buildId)
                        .map((rs, ctx) -> new Stored(buildId, rs.getString("path"), (Integer) rs.getObject("step"),
                                rs.getLong("size"), rs.getString("sha256"))).list()));
    }

    public Optional<Stored> find(String buildId, String path) {
        return list(buildId).stream().filter(a -> a.path().equals(path)).findFirst();
    }

    public InputStream open(Stored a) throws IOException {
        return blobs.open(a.sha256());
    }

    /** As the API lists them; {@code stepId} names a step by its index. */
    public List<ArtifactView> views(String buildId, IntFunction<String> stepId) {
        return list(buildId).stream().map(a -> new ArtifactView(a.path(), a.size(), a.sha256(),
                a.step() == null ? null : stepId.apply(a.step()), url(buildId, a.path()))).toList();
    }

    /** Where the API serves an artifact: each part of its path escaped. */
    public static String url(String buildId, String path) {
        StringBuilder out = new StringBuilder("/api/builds/").append(buildId).append("/artifacts");
        for (String part : path.split("/")) {
            out.append('/').append(URLEncoder.encode(part, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return out.toString();
    }

    /**
     * Removes each of {@code digests} that no build's artifact uses any more (after retention removed
     * builds' rows); returns the bytes freed.
     */
    public long release(Collection<String> digests) throws IOException {
        long freed = 0;
        for (String d : digests) {
            synchronized (blobLocks[stripe(d)]) {
                int users = Database.under(db.visibility().readLock(), () -> jdbi.withHandle(h ->
                        h.createQuery("select count(*) from build_artifacts where sha256 = :h").bind("h", d)
                                .mapTo(Integer.class).one()));
                if (users == 0) {
                    freed += blobs.delete(d);
                }
            }
        }
        return freed;
    }

    private long used(String buildId, String except) {
        return Database.under(db.visibility().readLock(), () -> jdbi.withHandle(h ->
                h.createQuery("select coalesce(sum(size), 0) from build_artifacts where build_id = :b and path <> :p")
                        .bind("b", buildId).bind("p", except).mapTo(Long.class).one()));
    }

    private int count(String buildId, String except) {
        return Database.under(db.visibility().readLock(), () -> jdbi.withHandle(h ->
                h.createQuery("select count(*) from build_artifacts where build_id = :b and path <> :p")
                        .bind("b", buildId).bind("p", except).mapTo(Integer.class).one()));
    }

    /** {@code size}: the file's size, or -1 when it is only known to be over the limit. */
    private TooLargeException fileTooLarge(String path, long size) {
        return new TooLargeException("artifact " + path + (size < 0 ? " is larger than" : " is " + Sizes.human(size)
                + ", over") + " the limit of " + Sizes.format(limits.perFile()) + " per file (kiln server "
                + ArtifactLimits.FILE_SETTING + ")");
    }

    private TooLargeException buildTooLarge(String path, long size, long used) {
        return new TooLargeException("artifact " + path + (size < 0 ? "" : " (" + Sizes.human(size) + ")")
                + " would take the build's artifacts over the limit of " + Sizes.format(limits.perBuild())
                + " per build, with " + Sizes.human(used) + " kept already (kiln server " + ArtifactLimits.BUILD_SETTING + ")");
    }

    private static Object[] stripes() {
        Object[] locks = new Object[64];
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new Object();
        }
        return locks;
    }

    private static int stripe(String key) {
        return Math.floorMod(key.hashCode(), 64);
    }
}
