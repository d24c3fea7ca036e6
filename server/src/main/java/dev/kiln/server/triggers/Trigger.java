package dev.kiln.server.triggers;

import java.util.List;
import java.util.Map;

/**
 * A trigger as the server keeps it: which refs of {@code repo} it builds ({@code branchRegex} or
 * {@code tagRegex}, the other null; {@code invert} builds those that do not match), the config
 * path (null: discovered as a submit does), the file globs and substitutions. Times: epoch millis.
 * {@code pullRequest}: it builds pull requests into the branches its regex matches, not pushes;
 * {@code commentControl}: those from non-collaborators wait for a collaborator's {@code /kiln run}.
 * {@code approvalRequired}: its builds wait PENDING for a decision. {@code schedule}: a cron
 * expression (null: none) building the head of {@code scheduleBranch} at each tick.
 * {@code collaborators}: with comment control, who counts as a collaborator (empty: the forge's word).
 */
public record Trigger(String name, String repo, String branchRegex, String tagRegex, boolean invert, String configPath,
                      List<String> includedFiles, List<String> ignoredFiles, Map<String, String> substitutions,
                      boolean enabled, long createTime, boolean pullRequest, boolean commentControl,
                      boolean approvalRequired, String schedule, String scheduleBranch, List<String> collaborators) {

    /** A trigger without a list of collaborators. */
    public Trigger(String name, String repo, String branchRegex, String tagRegex, boolean invert, String configPath,
                   List<String> includedFiles, List<String> ignoredFiles, Map<String, String> substitutions,
                   boolean enabled, long createTime, boolean pullRequest, boolean commentControl,
                   boolean approvalRequired, String schedule, String scheduleBranch) {
        this(name, repo, branchRegex, tagRegex, invert, configPath, includedFiles, ignoredFiles, substitutions, enabled,
                createTime, pullRequest, commentControl, approvalRequired, schedule, scheduleBranch, List.of());
    }

    /** A trigger of pushes, without approval or schedule. */
    public Trigger(String name, String repo, String branchRegex, String tagRegex, boolean invert, String configPath,
                   List<String> includedFiles, List<String> ignoredFiles, Map<String, String> substitutions,
                   boolean enabled, long createTime) {
        this(name, repo, branchRegex, tagRegex, invert, configPath, includedFiles, ignoredFiles, substitutions, enabled,
                createTime, false, false, false, null, null);
    }

    public Trigger {
        includedFiles = List.copyOf(includedFiles);
        ignoredFiles = List.copyOf(ignoredFiles);
        substitutions = Map.copyOf(substitutions);
        collaborators = collaborators == null ? List.of() : List.copyOf(collaborators);
    }

    /**
     * Whether {@code user} may run this trigger's builds of a pull request without (or by) a comment:
     * on its list of collaborators when it has one (names compared ignoring case, as forges do),
     * else as the forge says ({@code forgeSays}).
     */
    public boolean collaborator(String user, boolean forgeSays) {
        if (collaborators.isEmpty()) {
            return forgeSays;
        }
        return user != null && collaborators.stream().anyMatch(c -> c.equalsIgnoreCase(user));
    }
}
