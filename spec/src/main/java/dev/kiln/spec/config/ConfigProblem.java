package dev.kiln.spec.config;

/** One thing wrong (or worth a warning) in a build config, with where it is. */
public record ConfigProblem(SourceMark mark, String message) {

    @Override
    public String toString() {
        return mark + ": " + message;
    }
}
