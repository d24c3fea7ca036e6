package dev.kiln.spec.plan;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Cloud Build's built-in substitutions: the one list of their names, and their values for a
 * build. Every name is always defined; one a build has no value for is empty, as Cloud Build
 * documents, so a config that names it is never refused for an unknown substitution.
 */
public final class BuiltIns {
    /** Built-ins that only a pull-request build has; they look like user keys but are Cloud Build's. */
    public static final List<String> PULL_REQUEST = List.of("_HEAD_BRANCH", "_BASE_BRANCH", "_HEAD_REPO_URL", "_PR_NUMBER");
    /** Every built-in, in the order Cloud Build's documentation lists them. */
    public static final List<String> NAMES = List.of("PROJECT_ID", "PROJECT_NUMBER", "BUILD_ID", "LOCATION",
            "TRIGGER_NAME", "COMMIT_SHA", "REVISION_ID", "SHORT_SHA", "REPO_NAME", "REPO_FULL_NAME", "BRANCH_NAME",
            "TAG_NAME", "REF_NAME", "TRIGGER_BUILD_CONFIG_PATH", "SERVICE_ACCOUNT_EMAIL", "SERVICE_ACCOUNT",
            "_HEAD_BRANCH", "_BASE_BRANCH", "_HEAD_REPO_URL", "_PR_NUMBER");
    /** Where a build runs when nothing says otherwise; Cloud Build's would be a region. */
    static final String LOCATION = "local";

    private BuiltIns() {}

    public static boolean isBuiltIn(String name) {
        return NAMES.contains(name);
    }

    /**
     * The value of every built-in for a build: the facts it was given, and those derived from them
     * when not given (REVISION_ID and SHORT_SHA from COMMIT_SHA, REF_NAME from the branch or tag,
     * REPO_FULL_NAME from REPO_NAME); empty for the rest.
     */
    static Map<String, String> values(BuildContext context) {
        Map<String, String> facts = context.facts();
        Map<String, String> b = new LinkedHashMap<>();
        for (String name : NAMES) {
            b.put(name, facts.getOrDefault(name, ""));
        }
        b.put("PROJECT_ID", context.projectId());
        b.put("BUILD_ID", context.buildId());
        derive(b, "LOCATION", LOCATION);
        String sha = b.get("COMMIT_SHA");
        derive(b, "REVISION_ID", sha);
        derive(b, "SHORT_SHA", sha.length() > 7 ? sha.substring(0, 7) : sha);
        derive(b, "REF_NAME", !b.get("BRANCH_NAME").isEmpty() ? b.get("BRANCH_NAME") : b.get("TAG_NAME"));
        derive(b, "REPO_FULL_NAME", b.get("REPO_NAME"));
        return b;
    }

    private static void derive(Map<String, String> b, String name, String value) {
        if (b.get(name).isEmpty()) {
            b.put(name, value);
        }
    }
}
