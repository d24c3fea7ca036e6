package dev.kiln.server.triggers;

import java.util.List;
import java.util.Map;

/**
 * A trigger as the server keeps it: which refs of {@code repo} it builds ({@code branchRegex} or
 * {@code tagRegex}, the other null; {@code invert} builds those that do not match), the config
 * path (null: discovered as a submit does), the file globs and substitutions. Times: epoch millis.
 * {@code pullRequest}: it builds pull requests into the branches its regex matches, not pushes;
 * {@code commentControl}: those from non-collaborators wait for a collaborator's {@code /kiln run}.
 */
public record Trigger(String name, String repo, String branchRegex, String tagRegex, boolean invert, String configPath,
                      List<String> includedFiles, List<String> ignoredFiles, Map<String, String> substitutions,
                      boolean enabled, long createTime, boolean pullRequest, boolean commentControl) {

    public Trigger {
        includedFiles = List.copyOf(includedFiles);
        ignoredFiles = List.copyOf(ignoredFiles);
        substitutions = Map.copyOf(substitutions);
    }
}
