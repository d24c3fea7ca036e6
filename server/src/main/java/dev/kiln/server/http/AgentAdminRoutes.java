package dev.kiln.server.http;

import dev.kiln.server.access.Access;
import dev.kiln.server.access.AccessGuard;
import dev.kiln.server.access.Principal;
import dev.kiln.server.access.Role;
import dev.kiln.server.agents.Agents;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.NotFoundResponse;
import java.util.Map;

/**
 * {@code /api/agents}: the agents that joined (any viewer may list them, as the dashboard's agents
 * page shows them), and for admins the registration token, its rotation, and disabling an agent.
 */
final class AgentAdminRoutes {
    private final Agents agents;

    AgentAdminRoutes(Agents agents) {
        this.agents = agents;
    }

    void register(JavalinConfig config) {
        config.routes.get("/api/agents", ctx -> ctx.json(agents.list()), Access.read());
        config.routes.get("/api/agents/registration-token", ctx -> ctx.json(token(agents.registration().current())),
                Access.read(Role.ADMIN));
        config.routes.post("/api/agents/registration-token", ctx -> {
            String fresh = agents.registration().rotate();
            agents.audit().record(ctx, "agent.registration-token.rotate", null,
                    "agents that joined keep their credentials");
            ctx.json(token(fresh));
        }, Access.write(Role.ADMIN));
        config.routes.post("/api/agents/{id}/disable", ctx -> {
            String id = ctx.pathParam("id");
            Principal who = AccessGuard.principal(ctx);
            var running = agents.get(id).orElseThrow(() -> unknown(id)).builds();
            var a = agents.disable(id, who.name()).orElseThrow(() -> unknown(id));
            agents.audit().record(ctx, "agent.disable", id, running.isEmpty() ? null : "builds ended: " + running);
            ctx.json(a);
        }, Access.write(Role.ADMIN));
        config.routes.post("/api/agents/{id}/enable", ctx -> {
            String id = ctx.pathParam("id");
            var a = agents.enable(id).orElseThrow(() -> unknown(id));
            agents.audit().record(ctx, "agent.enable", id, null);
            ctx.json(a);
        }, Access.write(Role.ADMIN));
    }

    private static Map<String, String> token(String token) {
        return Map.of("token", token);
    }

    private static NotFoundResponse unknown(String id) {
        return new NotFoundResponse("no agent " + id + " (kiln agents list shows them)");
    }
}
