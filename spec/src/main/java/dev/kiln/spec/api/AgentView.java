package dev.kiln.spec.api;

import java.time.Instant;
import java.util.List;

/**
 * An agent that joined the server, as {@code kiln agents list} shows it; never its credential.
 * {@code hostname} and {@code labels} are those of its latest request for work (empty when it has
 * not asked since the server started); {@code builds}: the builds it runs now.
 */
public record AgentView(String id, String name, Instant createTime, Instant lastSeen, boolean disabled, String hostname,
                        List<String> labels, List<String> builds) {}
