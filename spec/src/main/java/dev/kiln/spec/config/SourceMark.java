package dev.kiln.spec.config;

/** A position in a config file, 1-based, as people and editors count. */
public record SourceMark(String file, int line, int column) {

    @Override
    public String toString() {
        return file + ":" + line + ":" + column;
    }
}
