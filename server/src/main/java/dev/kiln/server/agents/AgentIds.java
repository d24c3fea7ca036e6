package dev.kiln.server.agents;

/**
 * An agent that joined is one id; each run of its process asks for work under an id of its own,
 * {@code <agent id>/<run>}, so that a poll of a stopped run is told apart from a restarted one.
 * A lease records the run; the agent it belongs to is the part before the first '/'. Agent ids
 * never hold a '/', so no agent can name a run of another.
 */
public final class AgentIds {
    private static final int MAX_RUN = 40;

    private AgentIds() {}

    /** The agent a run id belongs to. */
    public static String owner(String runId) {
        int slash = runId == null ? -1 : runId.indexOf('/');
        return slash < 0 ? runId : runId.substring(0, slash);
    }

    /** A run of {@code agentId}: {@code requested} if it is one, else {@code requested} placed under it. */
    public static String run(String agentId, String requested) {
        String r = requested == null || requested.isBlank() ? "run" : requested;
        if (r.startsWith(agentId + "/")) {
            r = r.substring(agentId.length() + 1);
        }
        r = r.replace('/', '-');
        return agentId + "/" + (r.length() > MAX_RUN ? r.substring(0, MAX_RUN) : r);
    }
}
