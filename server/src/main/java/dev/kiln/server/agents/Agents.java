package dev.kiln.server.agents;

import dev.kiln.server.access.AuditLog;
import dev.kiln.server.access.Principal;
import dev.kiln.server.access.Role;
import dev.kiln.server.scheduler.AgentRoster;
import dev.kiln.server.scheduler.Scheduler;
import dev.kiln.server.store.Build;
import dev.kiln.server.store.BuildStore;
import dev.kiln.spec.api.AgentView;
import io.javalin.http.UnauthorizedResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Who the agents are: the registration token they join with, the credential each holds after,
 * and an admin's power to disable one. The agent realm of the access guard asks here.
 */
public final class Agents {
    private static final String AGENT = "agent:";
    private static final String REGISTRATION = "agent-registration";
    /** How far back the list looks for an agent's latest hostname and labels (the scheduler keeps them in memory). */
    private static final Duration SEEN = Duration.ofDays(3650);

    private final AgentRegistry registry;
    private final RegistrationToken registration;
    private final Scheduler scheduler;
    private final BuildStore store;
    private final AuditLog audit;

    public Agents(AgentRegistry registry, RegistrationToken registration, Scheduler scheduler, BuildStore store,
                  AuditLog audit) {
        this.registry = registry;
        this.registration = registration;
        this.scheduler = scheduler;
        this.store = store;
        this.audit = audit;
    }

    public AgentRegistry registry() {
        return registry;
    }

    public RegistrationToken registration() {
        return registration;
    }

    public AuditLog audit() {
        return audit;
    }

    /**
     * The agent realm's check of a bearer token: the registration token (good for joining only) or
     * an agent's credential. A disabled agent is told so, at once, on every call.
     */
    public Optional<Principal> authenticate(String bearer) {
        if (registration.matches(bearer)) {
            return Optional.of(new Principal(REGISTRATION, "registration token", Role.VIEWER, Map.of()));
        }
        Optional<AgentRegistry.Registered> a = registry.authenticate(bearer);
        if (a.isEmpty()) {
            return Optional.empty();
        }
        String id = a.get().id();
        if (a.get().disabled()) {
            throw new UnauthorizedResponse("agent " + id + " is disabled; an admin can enable it again with"
                    + " `kiln agents enable " + id + "`");
        }
        registry.seen(id);
        return Optional.of(new Principal(AGENT + id, AGENT + id, Role.VIEWER, Map.of()));
    }

    /** The agent that made a call, or null when it came with the registration token. */
    public static String agentOf(Principal p) {
        return p != null && p.tokenId().startsWith(AGENT) ? p.tokenId().substring(AGENT.length()) : null;
    }

    public static boolean isRegistration(Principal p) {
        return p != null && REGISTRATION.equals(p.tokenId());
    }

    public boolean isDisabled(String agentId) {
        return registry.isDisabled(agentId);
    }

    public List<AgentView> list() {
        List<AgentRoster.Seen> seen = scheduler.agents(SEEN);
        List<Build> working = store.working();
        List<AgentView> out = new ArrayList<>();
        for (AgentRegistry.Registered a : registry.list()) {
            out.add(view(a, seen, working));
        }
        return out;
    }

    public Optional<AgentView> get(String id) {
        return registry.get(id).map(a -> view(a, scheduler.agents(SEEN), store.working()));
    }

    /**
     * Disables agent {@code id}: its calls are refused from now on, a poll of it that waits for work
     * ends empty (the scheduler asks {@link #isDisabled}), and the builds it runs end INTERNAL_ERROR saying why (none stays WORKING).
     */
    public Optional<AgentView> disable(String id, String by) {
        if (registry.setDisabled(id, true).isEmpty()) {
            return Optional.empty();
        }
        scheduler.enqueued();   // its polls that wait for work end now, empty
        endBuildsOf(id, "agent " + id + " was disabled by " + by + " while it ran this build");
        return get(id);
    }

    public Optional<AgentView> enable(String id) {
        return registry.setDisabled(id, false).flatMap(a -> get(id));
    }

    /** Ends every build a run of agent {@code id} holds, with {@code why} as the status detail. */
    public void endBuildsOf(String id, String why) {
        store.working().stream().map(Build::agentId).filter(r -> r != null && id.equals(AgentIds.owner(r))).distinct()
                .forEach(run -> scheduler.abandon(run, why));
    }

    private static AgentView view(AgentRegistry.Registered a, List<AgentRoster.Seen> seen, List<Build> working) {
        AgentRoster.Seen latest = null;
        for (AgentRoster.Seen s : seen) {
            if (a.id().equals(AgentIds.owner(s.id())) && (latest == null || s.lastSeen() >= latest.lastSeen())) {
                latest = s;
            }
        }
        List<String> builds = working.stream().filter(b -> b.agentId() != null && a.id().equals(AgentIds.owner(b.agentId())))
                .map(Build::id).toList();
        Long last = a.lastSeen();
        if (latest != null && (last == null || latest.lastSeen() > last)) {
            last = latest.lastSeen();
        }
        return new AgentView(a.id(), a.name(), Instant.ofEpochMilli(a.createTime()),
                last == null ? null : Instant.ofEpochMilli(last), a.disabled(),
                latest == null || latest.hostname().isEmpty() ? null : latest.hostname(),
                latest == null ? List.of() : latest.labels(), builds);
    }
}
