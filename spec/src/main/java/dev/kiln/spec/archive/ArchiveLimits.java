package dev.kiln.spec.archive;

/**
 * How much a source archive may unpack to. A few KB of gzip can hold gigabytes of zeros, so the
 * server (checking an upload) and the agent (unpacking one) stop reading at these, each with its
 * own settings. {@code maxBytes} counts the tar stream as it comes out of gzip, headers included,
 * and any hole a sparse file fills in; {@code maxFileBytes} counts what one entry reads as.
 * Defaults: {@value #DEFAULT_MAX_ENTRIES} entries, 4 GiB in all, 1 GiB for one file.
 */
public record ArchiveLimits(int maxEntries, long maxBytes, long maxFileBytes) {
    public static final int DEFAULT_MAX_ENTRIES = 100_000;
    public static final ArchiveLimits DEFAULTS = new ArchiveLimits(DEFAULT_MAX_ENTRIES, 4L << 30, 1L << 30);

    public ArchiveLimits {
        if (maxEntries < 1 || maxBytes < 1 || maxFileBytes < 1) {
            throw new IllegalArgumentException("archive limits must be positive: " + maxEntries + " entries, "
                    + maxBytes + " bytes, " + maxFileBytes + " bytes per file");
        }
    }
}
