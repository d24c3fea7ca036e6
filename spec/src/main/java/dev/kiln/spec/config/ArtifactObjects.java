package dev.kiln.spec.config;

import java.util.List;

/**
 * Cloud Build's top-level {@code artifacts.objects}: files of the workspace ({@code paths}, globs
 * relative to it) kept once the whole build has passed. Cloud Build copies them to {@code location}
 * (a bucket); Kiln stores them on its server, and keeps {@code location} only to show it.
 */
public record ArtifactObjects(String location, List<String> paths) {
    public static final ArtifactObjects NONE = new ArtifactObjects(null, List.of());

    public ArtifactObjects {
        paths = paths == null ? List.of() : List.copyOf(paths);
    }
}
