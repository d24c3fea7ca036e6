package dev.kiln.spec.api;

import java.time.Instant;
import java.util.Map;

/**
 * A git repo as the REST API shows it. {@code kind}: {@code HOSTED} (Kiln is the remote: push to
 * {@code gitUrl}) or {@code MIRRORED} (Kiln keeps a bare mirror of {@code url}). {@code heads}: each
 * branch and tag and the commit it points to, as Kiln has it. The poll fields stay null until a
 * mirrored repo has been fetched; {@code lastPollError} is the last fetch's failure, null after a success.
 * {@code webhookUrl}: where a forge sends this repo's webhooks; {@code webhookSecret}: whether one is
 * set (the secret itself is never shown). {@code nextPollTime}: when the poller looks next (later
 * than the interval after failures: it backs off); {@code pollFailures}: failures in a row.
 * {@code forge}, {@code forgeUrl}, {@code forgeProject}: where build states are posted (null: nowhere);
 * {@code lastStatusTime} and {@code lastStatusError}: the last post, and its failure (null after a success).
 * {@code protectedBranches}: the branches of a hosted repo no push may change (only the server does).
 */
public record RepoView(String name, String kind, String url, String pollInterval, String credentialsUser,
                       String gitUrl, Map<String, String> heads, Instant createTime, Instant lastPollTime,
                       String lastPollError, Instant lastSuccessTime, String webhookUrl, boolean webhookSecret,
                       Instant nextPollTime, int pollFailures, String forge, String forgeUrl, String forgeProject,
                       Instant lastStatusTime, String lastStatusError, java.util.List<String> protectedBranches) {
    public RepoView {
        protectedBranches = protectedBranches == null ? java.util.List.of() : java.util.List.copyOf(protectedBranches);
    }
}
