package dev.kiln.agent.run;

import dev.kiln.agent.archive.SourceArchive;
import dev.kiln.spec.archive.ArchiveLimits;
import dev.kiln.spec.archive.SourceDigest;
import dev.kiln.spec.protocol.AgentApi;
import dev.kiln.spec.protocol.Lease;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Source archives this agent has fetched, kept by digest so that a retry or a build of the same
 * source downloads nothing. Each download is checked against its digest; the least recently used
 * archives beyond {@link #KEEP} are removed. With no directory it caches nothing and unpacks the
 * server's stream as it comes (the embedded agent, whose "download" is a local file).
 */
final class SourceCache {
    static final int KEEP = 64;

    private final AgentApi api;
    private final Path dir;
    private final ArchiveLimits limits;
    private int downloads;

    SourceCache(AgentApi api, Path dir, ArchiveLimits limits) {
        this.api = api;
        this.dir = dir;
        this.limits = limits;
    }

    /**
     * Unpacks the lease's source into {@code workspace}, fetching it first if it is not cached.
     *
     * @throws dev.kiln.spec.archive.ArchiveLimitException if it unpacks to more than the limits
     */
    void unpack(Lease lease, Path workspace) throws IOException {
        if (lease.sourceDigest() == null) {
            Files.createDirectories(workspace);
            return;
        }
        if (!SourceDigest.isValid(lease.sourceDigest())) {
            // It names a file in the cache: anything but the one form could point elsewhere.
            throw new IOException("the server sent a malformed source digest '" + lease.sourceDigest() + "'");
        }
        try (InputStream in = dir == null ? api.source(lease.buildId(), lease.leaseId()) : Files.newInputStream(fetch(lease))) {
            SourceArchive.unpack(in, workspace, limits);
        }
    }

    private synchronized Path fetch(Lease lease) throws IOException {
        Files.createDirectories(dir);
        Path cached = dir.resolve(lease.sourceDigest().replace(':', '-') + ".tgz");
        if (Files.exists(cached)) {
            Files.setLastModifiedTime(cached, FileTime.fromMillis(System.currentTimeMillis()));
            return cached;
        }
        Path tmp = Files.createTempFile(dir, "download", ".part");
        try {
            MessageDigest sha = SourceDigest.newDigest();
            try (InputStream in = api.source(lease.buildId(), lease.leaseId());
                 DigestOutputStream out = new DigestOutputStream(Files.newOutputStream(tmp), sha)) {
                in.transferTo(out);
            }
            String got = SourceDigest.name(sha);
            if (!got.equals(lease.sourceDigest())) {
                throw new IOException("source archive digest " + got + " does not match " + lease.sourceDigest());
            }
            Files.move(tmp, cached, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        if (++downloads % (KEEP / 4) == 0) {
            evict();   // now and then, not a directory listing per build
        }
        return cached;
    }

    private void evict() throws IOException {
        List<Path> archives;
        try (Stream<Path> s = Files.list(dir)) {
            archives = s.filter(p -> p.toString().endsWith(".tgz"))
                    .sorted(Comparator.comparing(SourceCache::modified).reversed()).toList();
        }
        for (Path old : archives.subList(Math.min(KEEP, archives.size()), archives.size())) {
            Files.deleteIfExists(old);
        }
    }

    private static FileTime modified(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }
}
