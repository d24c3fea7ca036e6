package dev.kiln.spec.protocol;

/**
 * What an artifact's name may be: a path relative to the workspace, as the agent found it. It is
 * only ever a key in the server's database (the bytes are stored by their digest), so it can never name a
 * file on the server; it is still held to a plain form, since people download it by that name. An
 * agent that writes artifacts back into a workspace ({@code kiln/production-artifacts}) holds each
 * listed path to the same form, so that none climbs out of the directory it is written to.
 */
public final class ArtifactPaths {
    public static final int MAX = 1000;

    private ArtifactPaths() {}

    /** Why {@code path} cannot name an artifact, or null when it can. */
    public static String problem(String path) {
        if (path == null || path.isEmpty()) {
            return "an artifact needs a path";
        }
        if (path.length() > MAX) {
            return "an artifact's path may have at most " + MAX + " characters";
        }
        if (path.startsWith("/") || path.contains("\\")) {
            return "an artifact's path must be relative, with '/' between its parts";
        }
        for (String part : path.split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                return "an artifact's path may not have empty, '.' or '..' parts";
            }
        }
        if (path.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            return "an artifact's path may not hold control characters";
        }
        return null;
    }
}
