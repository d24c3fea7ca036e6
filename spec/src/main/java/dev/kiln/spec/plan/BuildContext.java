package dev.kiln.spec.plan;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a build comes from: its id, project, and the git facts a trigger knows (all empty for a
 * plain submit unless given), plus the user substitutions passed with the request.
 * {@code dynamicSubstitutions}: a trigger started the build, and Cloud Build turns dynamic
 * substitutions on for triggered builds (the planner may honour it; a submit leaves it off).
 */
public record BuildContext(String buildId, String projectId, String repoName, String branchName,
                           String tagName, String commitSha, String triggerName, Map<String, String> userSubstitutions,
                           String triggerBuildConfigPath, boolean dynamicSubstitutions) {

    public BuildContext {
        userSubstitutions = Map.copyOf(userSubstitutions);
    }

    /** A context with no trigger: no config path of one, dynamic substitutions off. */
    public BuildContext(String buildId, String projectId, String repoName, String branchName, String tagName,
                        String commitSha, String triggerName, Map<String, String> userSubstitutions) {
        this(buildId, projectId, repoName, branchName, tagName, commitSha, triggerName, userSubstitutions, "", false);
    }

    public static BuildContext submit(String buildId, String projectId, Map<String, String> userSubstitutions) {
        return new BuildContext(buildId, projectId, "", "", "", "", "", userSubstitutions);
    }

    /**
     * A build a trigger started, from the commit {@code commitSha} of {@code repoName}, pushed to a
     * branch or a tag (the other empty; both empty for a run by SHA), its config at {@code configPath}.
     */
    public static BuildContext trigger(String buildId, String projectId, String repoName, String branchName,
                                       String tagName, String commitSha, String triggerName, String configPath,
                                       Map<String, String> userSubstitutions) {
        return new BuildContext(buildId, projectId, repoName, branchName, tagName, commitSha, triggerName,
                userSubstitutions, configPath, true);
    }

    /** Cloud Build's built-in substitutions for this build. */
    public Map<String, String> builtIns() {
        Map<String, String> b = new LinkedHashMap<>();
        b.put("PROJECT_ID", projectId);
        b.put("BUILD_ID", buildId);
        b.put("LOCATION", "local");
        b.put("REPO_NAME", repoName);
        b.put("REPO_FULL_NAME", repoName);
        b.put("BRANCH_NAME", branchName);
        b.put("TAG_NAME", tagName);
        b.put("REF_NAME", !branchName.isEmpty() ? branchName : tagName);
        b.put("COMMIT_SHA", commitSha);
        b.put("REVISION_ID", commitSha);
        b.put("SHORT_SHA", commitSha.length() > 7 ? commitSha.substring(0, 7) : commitSha);
        b.put("TRIGGER_NAME", triggerName);
        b.put("TRIGGER_BUILD_CONFIG_PATH", triggerBuildConfigPath);
        return b;
    }
}
