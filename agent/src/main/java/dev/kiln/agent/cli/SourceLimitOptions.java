package dev.kiln.agent.cli;

import dev.kiln.spec.archive.ArchiveLimits;
import dev.kiln.spec.archive.Sizes;
import picocli.CommandLine.Option;

/**
 * The settings of {@link ArchiveLimits}, for {@code kiln agent} and {@code kiln server} alike (the
 * server checks uploads with them, and its embedded agent unpacks with them).
 */
public final class SourceLimitOptions {
    @Option(names = ArchiveLimits.ENTRIES_SETTING, paramLabel = "N",
            description = "Entries a source archive may hold (default ${DEFAULT-VALUE}).")
    int maxEntries = ArchiveLimits.DEFAULTS.maxEntries();
    @Option(names = ArchiveLimits.BYTES_SETTING, paramLabel = "SIZE",
            description = "What a source archive may unpack to, e.g. 8GiB (default ${DEFAULT-VALUE}).")
    String maxBytes = Sizes.format(ArchiveLimits.DEFAULTS.maxBytes());
    @Option(names = ArchiveLimits.FILE_BYTES_SETTING, paramLabel = "SIZE",
            description = "What one file in a source archive may unpack to (default ${DEFAULT-VALUE}).")
    String maxFileBytes = Sizes.format(ArchiveLimits.DEFAULTS.maxFileBytes());

    /** The limits as given; a size that is not one is an {@link IllegalArgumentException} naming its setting. */
    public ArchiveLimits limits() {
        return ArchiveLimits.of(maxEntries, maxBytes, maxFileBytes);
    }
}
