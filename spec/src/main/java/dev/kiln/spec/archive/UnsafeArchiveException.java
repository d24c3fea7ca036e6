package dev.kiln.spec.archive;

import java.io.IOException;

/**
 * An archive refused for what it would do to the machine that unpacks it: write outside the
 * directory it is unpacked into, or past its {@link ArchiveLimits} ({@link ArchiveLimitException}).
 */
public class UnsafeArchiveException extends IOException {
    public UnsafeArchiveException(String message) {
        super(message);
    }
}
