package dev.kiln.spec.protocol;

/**
 * Where each {@link AgentApi} call goes over HTTP: the server registers these paths and the agent's
 * client calls them. {@code {id}} and {@code {step}} are the server's path parameters; the client
 * fills them in with {@link #of}.
 */
public final class AgentPaths {
    public static final String PREFIX = "/api/agent/v1";
    /** The longest {@code wait} a lease or heartbeat call may ask the server to hold it, in milliseconds. */
    public static final long MAX_WAIT_MILLIS = 60_000;
    /** Joining: the registration token buys an agent its own credential (the only call that takes that token). */
    public static final String REGISTER = PREFIX + "/register";
    public static final String LEASE = PREFIX + "/lease";
    public static final String HEARTBEAT = PREFIX + "/builds/{id}/heartbeat";
    public static final String SOURCE = PREFIX + "/builds/{id}/source";
    public static final String STEP_START = PREFIX + "/builds/{id}/steps/{step}/start";
    public static final String STEP_LOG = PREFIX + "/builds/{id}/steps/{step}/log";
    public static final String STEP_METRICS = PREFIX + "/builds/{id}/steps/{step}/metrics";
    public static final String STEP_FINISH = PREFIX + "/builds/{id}/steps/{step}/finish";
    public static final String BUILD_FINISH = PREFIX + "/builds/{id}/finish";
    public static final String BUILD_IMAGES = PREFIX + "/builds/{id}/images";
    /** An artifact's bytes: {@code ?path=P&size=N}, and {@code &step=I} unless it is the build's own. */
    public static final String BUILD_ARTIFACTS = PREFIX + "/builds/{id}/artifacts";
    /** The same parameters without a body: would the server take such a file? Asked before sending its bytes. */
    public static final String BUILD_ARTIFACT_CHECK = PREFIX + "/builds/{id}/artifacts/check";
    /** Warnings about what a step left (a JSON list of strings): {@code ?step=I}, or none for the build. */
    public static final String BUILD_WARNINGS = PREFIX + "/builds/{id}/warnings";
    /** The current production model of the build's repo, for {@code kiln/production-artifacts}: a {@link ProductionListing}. */
    public static final String PRODUCTION = PREFIX + "/builds/{id}/production";
    /** One file of it: {@code ?build=B&path=P}, with {@code B} the production build the listing named. */
    public static final String PRODUCTION_FILE = PREFIX + "/builds/{id}/production/file";
    public static final String GOODBYE = PREFIX + "/goodbye";

    private AgentPaths() {}

    /** {@code path} for one build. */
    public static String of(String path, String buildId) {
        return path.replace("{id}", buildId);
    }

    /** {@code path} for one step of a build. */
    public static String of(String path, String buildId, int step) {
        return of(path, buildId).replace("{step}", String.valueOf(step));
    }
}
