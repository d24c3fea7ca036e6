package dev.kiln.agent.outputs;

import dev.kiln.spec.metrics.MetricsFile;
import dev.kiln.spec.metrics.MetricsReport;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads a step's {@code metrics:} file once the step passed. Whatever goes wrong (no file, a file
 * too big, not JSON, values that are not numbers) becomes a warning in the report: the step has
 * passed, and a metrics problem is shown, never a crash or a silent nothing.
 */
public final class MetricsReader {
    private MetricsReader() {}

    /** {@code relative}: the file's path in {@code workspace}, as the plan gives it. */
    public static MetricsReport read(Path workspace, String relative) {
        try {
            Path file = WorkspaceFiles.regularFile(workspace, relative);
            if (Files.size(file) > MetricsFile.MAX_BYTES) {
                return warning("metrics file " + relative + " is " + Files.size(file) + " bytes, more than the "
                        + MetricsFile.MAX_BYTES + " a metrics file may have; nothing recorded from it");
            }
            byte[] json;
            try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
                json = in.readNBytes((int) MetricsFile.MAX_BYTES + 1);
            }
            return MetricsFile.parse(json, relative);
        } catch (NoSuchFileException e) {
            return warning("metrics file " + relative + " was not written by the step; nothing recorded from it");
        } catch (IOException e) {
            return warning("metrics file " + relative + ": " + e.getMessage());
        }
    }

    private static MetricsReport warning(String message) {
        return new MetricsReport(List.of(), List.of(message));
    }
}
