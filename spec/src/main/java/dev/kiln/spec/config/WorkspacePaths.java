package dev.kiln.spec.config;

import java.util.List;

/**
 * Where a path written in a config lands in the workspace. Cloud Build mounts the source at
 * {@code /workspace}, so configs written for it say {@code /workspace/app} as often as {@code app};
 * both mean the same place. Any other absolute path, or one that climbs out with {@code ..}, does
 * not stay in the workspace and is refused.
 */
public final class WorkspacePaths {
    /** Where Cloud Build mounts the source, and so where its configs' absolute paths start. */
    public static final String ROOT = "/workspace";

    private WorkspacePaths() {}

    /**
     * {@code path} relative to the workspace ({@code /workspace/app} is {@code app}, {@code /workspace}
     * is {@code .}), or null when it does not stay inside it.
     */
    public static String relative(String path) {
        String rest = path;
        if (path.equals(ROOT) || path.equals(ROOT + "/")) {
            return ".";
        }
        if (path.startsWith(ROOT + "/")) {
            rest = path.substring(ROOT.length() + 1);
        }
        if (rest.startsWith("/") || rest.startsWith("\\") || List.of(rest.split("[/\\\\]")).contains("..")) {
            return null;
        }
        return rest;
    }

    /** The end of a message refusing {@code path}. */
    static String problem(String path) {
        return "must be a relative path inside the workspace, not '" + ControlCharacters.shown(path) + "'";
    }
}
