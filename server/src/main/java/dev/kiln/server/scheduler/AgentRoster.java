package dev.kiln.server.scheduler;

import dev.kiln.server.store.Build;
import dev.kiln.spec.protocol.LeaseRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The agents the scheduler has heard from, as the dashboard's agents page shows them. Only a
 * record: no scheduling decision reads it.
 */
public final class AgentRoster {
    /** An agent as last seen asking for work; {@code lastSeen} in epoch ms. */
    public record Seen(String id, String hostname, List<String> labels, long lastSeen) {}

    private final Map<String, Seen> seen = new ConcurrentHashMap<>();

    void saw(LeaseRequest request, long now) {
        seen.put(request.agentId(), new Seen(request.agentId(), request.hostname(),
                request.labels() == null ? List.of() : List.copyOf(request.labels()), now));
    }

    void forget(String agentId) {
        seen.remove(agentId);
    }

    /**
     * Agents that asked for work within {@code within}, or that hold a lease on one of {@code working}
     * (a busy agent may not poll, so its latest lease renewal is its last sign of life), by id.
     */
    List<Seen> list(Duration within, List<Build> working, Duration leaseTimeout, long now) {
        Map<String, Seen> out = new TreeMap<>();
        seen.values().stream().filter(a -> now - a.lastSeen() <= within.toMillis()).forEach(a -> out.put(a.id(), a));
        for (Build b : working) {
            if (b.agentId() == null) {
                continue;
            }
            long renewed = b.leaseExpires() == null ? now : b.leaseExpires() - leaseTimeout.toMillis();
            Seen a = out.getOrDefault(b.agentId(), seen.getOrDefault(b.agentId(), new Seen(b.agentId(), "", List.of(), renewed)));
            out.put(a.id(), new Seen(a.id(), a.hostname(), a.labels(), Math.max(a.lastSeen(), renewed)));
        }
        return List.copyOf(out.values());
    }
}
