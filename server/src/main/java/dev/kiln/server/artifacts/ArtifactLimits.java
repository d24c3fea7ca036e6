package dev.kiln.server.artifacts;

import dev.kiln.spec.archive.Sizes;

/**
 * How much a build may keep as artifacts: in all, and per file. A model file is often hundreds of
 * MiB; a build that tries to keep gigabytes has almost always matched more than it meant to.
 */
public record ArtifactLimits(long perBuild, long perFile) {
    public static final String BUILD_SETTING = "--artifact-limit";
    public static final String FILE_SETTING = "--artifact-file-limit";
    public static final ArtifactLimits DEFAULTS = new ArtifactLimits(1L << 30, 512L << 20);
    /** Files one build may keep: a glob matching a whole dataset of small files is a mistake too. */
    public static final int MAX_FILES = 10_000;

    public ArtifactLimits {
        if (perBuild <= 0 || perFile <= 0) {
            throw new IllegalArgumentException("artifact limits must be more than 0 bytes");
        }
    }

    /** From the settings as written ({@code 1GiB}, {@code 512M}); a size that is not one names its setting. */
    public static ArtifactLimits of(String perBuild, String perFile) {
        return new ArtifactLimits(size(BUILD_SETTING, perBuild), size(FILE_SETTING, perFile));
    }

    private static long size(String setting, String text) {
        return Sizes.parse(text).filter(n -> n > 0).orElseThrow(() -> new IllegalArgumentException(
                setting + ": '" + text + "' is not a size; write e.g. 1GiB, 512MiB or 1048576"));
    }

    public String describe() {
        return Sizes.format(perBuild) + " per build, " + Sizes.format(perFile) + " per file";
    }
}
