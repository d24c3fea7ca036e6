package dev.kiln.spec.api;

import java.time.Instant;
import java.util.Map;

/**
 * A git repo as the REST API shows it. {@code kind}: {@code HOSTED} (Kiln is the remote: push to
 * {@code gitUrl}) or {@code MIRRORED} (Kiln keeps a bare mirror of {@code url}). {@code heads}: each
 * branch and tag and the commit it points to, as Kiln has it. The poll fields stay null until a
 * mirrored repo has been fetched; {@code lastPollError} is the last fetch's failure, null after a success.
 * {@code forge}, {@code forgeUrl}, {@code forgeProject}: where build states are posted (null: nowhere);
 * {@code lastStatusTime} and {@code lastStatusError}: the last post, and its failure (null after a success).
 */
public record RepoView(String name, String kind, String url, String pollInterval, String credentialsUser,
                       String gitUrl, Map<String, String> heads, Instant createTime, Instant lastPollTime,
                       String lastPollError, Instant lastSuccessTime, String forge, String forgeUrl, String forgeProject,
                       Instant lastStatusTime, String lastStatusError) {}
