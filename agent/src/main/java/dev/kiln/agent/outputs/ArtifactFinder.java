package dev.kiln.agent.outputs;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Finds the files a step's {@code artifacts:} patterns (or a build's {@code artifacts.objects.paths})
 * name in the workspace: {@code model.pkl}, {@code reports/*.html}, {@code out/**}; a directory
 * named as it is means every file under it. A pattern that matches nothing, and a match that is a
 * link leading out of the workspace, are warnings: nothing outside the workspace is ever read.
 */
public final class ArtifactFinder {
    private ArtifactFinder() {}

    /** A file to keep: its path in the workspace ('/' between parts), where it really is, and its size. */
    public record Found(String path, Path file, long size) {}

    /** What the patterns matched, in order without repeats, and a warning for each thing not kept. */
    public record Result(List<Found> files, List<String> warnings) {}

    /** {@code patterns}: relative to the workspace, as the plan gives them. */
    public static Result find(Path workspace, List<String> patterns) throws IOException {
        Path root = workspace.toRealPath();
        Map<String, Found> files = new LinkedHashMap<>();
        List<String> warnings = new ArrayList<>();
        for (String pattern : patterns) {
            int before = files.size();
            boolean matched = false;
            String base = literalPrefix(pattern);
            Path start = root.resolve(base).normalize();
            if (!start.startsWith(root) || !Files.exists(start, LinkOption.NOFOLLOW_LINKS)) {
                warnings.add("artifacts: '" + pattern + "' matched no file; nothing kept for it");
                continue;
            }
            boolean literal = base.equals(pattern);
            PathMatcher glob = literal ? null : FileSystems.getDefault().getPathMatcher("glob:" + pattern);
            try (Stream<Path> walk = Files.isDirectory(start, LinkOption.NOFOLLOW_LINKS) ? Files.walk(start) : Stream.of(start)) {
                for (Path p : walk.sorted().toList()) {   // sorted: the same order on every file system
                    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                        continue;
                    }
                    String rel = root.relativize(p).toString().replace('\\', '/');
                    if (glob != null && !glob.matches(Path.of(rel))) {
                        continue;
                    }
                    matched = true;
                    try {
                        Path real = WorkspaceFiles.regularFile(root, rel);
                        files.putIfAbsent(rel, new Found(rel, real, Files.size(real)));
                    } catch (WorkspaceFiles.OutsideException | NoSuchFileException e) {
                        warnings.add("artifacts: " + rel + " was not kept: " + (e instanceof NoSuchFileException
                                ? "it is a link to nothing" : e.getMessage()));
                    }
                }
            }
            if (!matched && files.size() == before) {
                warnings.add("artifacts: '" + pattern + "' matched no file; nothing kept for it");
            }
        }
        return new Result(new ArrayList<>(files.values()), warnings);
    }

    /** The leading parts of {@code pattern} without a wildcard: where a walk for it starts. */
    static String literalPrefix(String pattern) {
        String[] parts = pattern.split("/");
        StringBuilder out = new StringBuilder();
        for (String part : parts) {
            if (part.chars().anyMatch(c -> c == '*' || c == '?' || c == '[' || c == '{')) {
                break;
            }
            if (out.length() > 0) {
                out.append('/');
            }
            out.append(part);
        }
        return out.length() == 0 ? "." : out.toString();
    }
}
