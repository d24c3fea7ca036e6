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

    /** The settings of {@code kiln server} and {@code kiln agent}, named in the errors too. */
    public static final String ENTRIES_SETTING = "--max-source-entries";
    public static final String BYTES_SETTING = "--max-source-bytes";
    public static final String FILE_BYTES_SETTING = "--max-source-file-bytes";

    public ArchiveLimits {
        if (maxEntries < 1 || maxBytes < 1 || maxFileBytes < 1) {
            throw new IllegalArgumentException(ENTRIES_SETTING + ", " + BYTES_SETTING + " and " + FILE_BYTES_SETTING
                    + " must be positive: " + maxEntries + ", " + maxBytes + ", " + maxFileBytes);
        }
    }

    /** From the settings as written on a command line: sizes as {@link Sizes#parse} reads them. */
    public static ArchiveLimits of(int maxEntries, String maxBytes, String maxFileBytes) {
        return new ArchiveLimits(maxEntries, size(BYTES_SETTING, maxBytes), size(FILE_BYTES_SETTING, maxFileBytes));
    }

    private static long size(String setting, String text) {
        return Sizes.parse(text).orElseThrow(() ->
                new IllegalArgumentException(setting + ": '" + text + "' is not a size (say 4GiB, 512MiB or a number of bytes)"));
    }
}
