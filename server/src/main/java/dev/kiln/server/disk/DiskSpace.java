package dev.kiln.server.disk;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How much room the file system holding a directory has. An interface so that tests can say "the
 * disk is nearly full" without filling one.
 */
@FunctionalInterface
public interface DiskSpace {

    /** Free bytes (usable by this process) and total bytes of a file system. */
    record Space(long free, long total) {}

    Space of(Path dir) throws IOException;

    /** The real file system's figures. */
    static DiskSpace system() {
        return dir -> {
            FileStore store = Files.getFileStore(dir);
            return new Space(store.getUsableSpace(), store.getTotalSpace());
        };
    }
}
