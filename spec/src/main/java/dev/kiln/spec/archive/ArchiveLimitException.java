package dev.kiln.spec.archive;

/** An archive that unpacks to more than its {@link ArchiveLimits} allow; the message names the setting. */
public final class ArchiveLimitException extends UnsafeArchiveException {
    public ArchiveLimitException(String message) {
        super(message);
    }
}
