package dev.kiln.server.disk;

import dev.kiln.spec.archive.Sizes;
import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses new work while the data directory's disk is nearly full, so that the server says so
 * instead of failing half-way through an upload, a database commit or a log write. Only new
 * builds are refused: running builds keep writing their logs into the room the floor leaves.
 */
public final class DiskFloor {
    private static final Logger log = LoggerFactory.getLogger(DiskFloor.class);

    private final Path dir;
    private final DiskSpace disk;
    private final MinFree min;
    private final String cleanUp;

    /** {@code cleanUp}: what the operator can expect to free space ("old builds are removed after 30 days"). */
    public DiskFloor(Path dir, DiskSpace disk, MinFree min, String cleanUp) {
        this.dir = dir;
        this.disk = disk;
        this.min = min;
        this.cleanUp = cleanUp;
    }

    /** The disk's figures now and the floor they are held to. */
    public record Reading(long free, long total, long floor) {
        public boolean nearlyFull() {
            return free < floor;
        }
    }

    public Reading read() throws IOException {
        DiskSpace.Space s = disk.of(dir);
        return new Reading(s.free(), s.total(), min.floor(s.total()));
    }

    public MinFree min() {
        return min;
    }

    /** Throws when the disk is below the floor. A disk that cannot be read is not a reason to refuse. */
    public void check() throws DiskFullException {
        Reading r;
        try {
            r = read();
        } catch (IOException e) {
            log.warn("cannot read the free space of {}: {}", dir, e.toString());
            return;
        }
        if (r.nearlyFull()) {
            throw new DiskFullException("the server's disk is nearly full: " + Sizes.human(r.free()) + " free of "
                    + Sizes.human(r.total()) + ", below the " + Sizes.human(r.floor()) + " floor (" + MinFree.SETTING
                    + "); " + cleanUp + " — see kiln server status");
        }
    }

    /** New work refused for want of disk space: HTTP 507. */
    public static final class DiskFullException extends Exception {
        public DiskFullException(String message) {
            super(message);
        }
    }
}
