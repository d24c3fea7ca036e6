package dev.kiln.spec.plan;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a build comes from: its id and project, the facts a trigger knows about it (git facts
 * such as {@code BRANCH_NAME} or {@code COMMIT_SHA}, keyed by their {@link BuiltIns} name; none
 * for a plain submit), whether a trigger started it, and the user substitutions passed with it.
 * As in Cloud Build, a build started by a trigger always has dynamic substitutions.
 */
public record BuildContext(String buildId, String projectId, Map<String, String> facts, boolean triggered,
                           Map<String, String> userSubstitutions) {

    public BuildContext {
        facts = Map.copyOf(facts);
        userSubstitutions = Map.copyOf(userSubstitutions);
        for (String name : facts.keySet()) {
            if (!BuiltIns.isBuiltIn(name) || name.equals("PROJECT_ID") || name.equals("BUILD_ID")) {
                throw new IllegalArgumentException("'" + name + "' is not a built-in a trigger can give");
            }
        }
    }

    /** A build started by the trigger {@code triggerName} for this repository, branch or tag, and commit. */
    public BuildContext(String buildId, String projectId, String repoName, String branchName, String tagName,
                        String commitSha, String triggerName, Map<String, String> userSubstitutions) {
        this(buildId, projectId, gitFacts(repoName, branchName, tagName, commitSha, triggerName),
                !triggerName.isEmpty(), userSubstitutions);
    }

    /** A build submitted by hand: no git facts, not started by a trigger. */
    public static BuildContext submit(String buildId, String projectId, Map<String, String> userSubstitutions) {
        return new BuildContext(buildId, projectId, Map.of(), false, userSubstitutions);
    }

    /**
     * A build a trigger started, from the commit {@code commitSha} of {@code repoName}, pushed to a
     * branch or a tag (the other empty; both empty for a run by SHA), its config at {@code configPath}.
     */
    public static BuildContext trigger(String buildId, String projectId, String repoName, String branchName,
                                       String tagName, String commitSha, String triggerName, String configPath,
                                       Map<String, String> userSubstitutions) {
        Map<String, String> f = gitFacts(repoName, branchName, tagName, commitSha, triggerName);
        f.put("TRIGGER_BUILD_CONFIG_PATH", configPath);
        return new BuildContext(buildId, projectId, f, true, userSubstitutions);
    }

    /** Cloud Build's built-in substitutions for this build: every one of {@link BuiltIns#NAMES}. */
    public Map<String, String> builtIns() {
        return BuiltIns.values(this);
    }

    private static Map<String, String> gitFacts(String repoName, String branchName, String tagName, String commitSha,
                                                String triggerName) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("REPO_NAME", repoName);
        f.put("BRANCH_NAME", branchName);
        f.put("TAG_NAME", tagName);
        f.put("COMMIT_SHA", commitSha);
        f.put("TRIGGER_NAME", triggerName);
        return f;
    }
}
