package dev.kiln.spec.api;

import java.util.List;

/** What a build produced, as Cloud Build's {@code results}: the images it pushed (after all steps passed). */
public record BuildResults(List<BuiltImage> images) {
    public static final BuildResults NONE = new BuildResults(List.of());

    public BuildResults {
        images = images == null ? List.of() : List.copyOf(images);
    }
}
