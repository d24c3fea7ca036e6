package dev.kiln.server.disk;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * What the data directory holds, in bytes per kind: the H2 database ({@code kiln.*} files), step
 * logs ({@code logs/}), source archives ({@code sources/}, uploads in progress included) and the
 * rest (tokens). Sizes are the files' lengths; links are not followed.
 */
public final class DiskUsage {
    private DiskUsage() {}

    public record Usage(long database, long logs, long sources, long other) {
        public long total() {
            return database + logs + sources + other;
        }
    }

    public static Usage of(Path dataDir) throws IOException {
        long[] kinds = new long[4];
        Path logs = dataDir.resolve("logs");
        Path sources = dataDir.resolve("sources");
        Files.walkFileTree(dataDir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (!attrs.isRegularFile()) {
                    return FileVisitResult.CONTINUE;
                }
                int kind = file.startsWith(logs) ? 1 : file.startsWith(sources) ? 2
                        : file.getParent().equals(dataDir) && file.getFileName().toString().startsWith("kiln.") ? 0 : 3;
                kinds[kind] += attrs.size();
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;   // removed while we walked (a sweep, an upload done)
                }
                throw e;
            }
        });
        return new Usage(kinds[0], kinds[1], kinds[2], kinds[3]);
    }
}
