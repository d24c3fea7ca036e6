package dev.kiln.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.server.access.Access;
import dev.kiln.server.scheduler.AgentService;
import dev.kiln.spec.json.Json;
import dev.kiln.spec.protocol.AgentApi.LogGapException;
import dev.kiln.spec.protocol.AgentPaths;
import dev.kiln.spec.protocol.LeaseRequest;
import dev.kiln.spec.protocol.Status;
import dev.kiln.spec.protocol.StepResult;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.Map;

/** The agent protocol over HTTP; every call must carry the agent token ({@link Access#agent()}). */
final class AgentRoutes {
    private static final long MAX_WAIT_MS = 60_000;

    private final AgentService agents;

    AgentRoutes(AgentService agents) {
        this.agents = agents;
    }

    void register(JavalinConfig config) {
        Access agent = Access.agent();
        config.routes.post(AgentPaths.LEASE, ctx -> {
            LeaseRequest req = Json.MAPPER.readValue(ctx.bodyAsBytes(), LeaseRequest.class);
            var lease = agents.lease(req, waitOf(ctx));
            if (lease.isPresent()) {
                ctx.json(lease.get());
            } else {
                ctx.status(204);
            }
        }, agent);
        config.routes.post(AgentPaths.HEARTBEAT, ctx -> ctx.json(agents.heartbeat(id(ctx), lease(ctx), waitOf(ctx))), agent);
        config.routes.get(AgentPaths.SOURCE, ctx -> {
            ctx.contentType("application/gzip");
            ctx.result(agents.source(id(ctx), lease(ctx)));
        }, agent);
        config.routes.post(AgentPaths.STEP_START, ctx -> {
            agents.stepStarted(id(ctx), lease(ctx), step(ctx), ctx.queryParamAsClass("time", Long.class).get());
            ctx.status(204);
        }, agent);
        config.routes.post(AgentPaths.STEP_LOG, ctx -> {
            byte[] body = ctx.bodyAsBytes();
            long offset = ctx.queryParamAsClass("offset", Long.class).get();
            try {
                ctx.json(Map.of("size", agents.appendLog(id(ctx), lease(ctx), step(ctx), offset, body, 0, body.length)));
            } catch (LogGapException e) {
                ctx.status(409).json(Map.of("size", e.size()));
            }
        }, agent);
        config.routes.post(AgentPaths.STEP_FINISH, ctx -> {
            agents.stepFinished(id(ctx), lease(ctx), step(ctx), Json.MAPPER.readValue(ctx.bodyAsBytes(), StepResult.class));
            ctx.status(204);
        }, agent);
        config.routes.post(AgentPaths.BUILD_FINISH, ctx -> {
            JsonNode body = Json.MAPPER.readTree(ctx.bodyAsBytes());
            agents.buildFinished(id(ctx), lease(ctx), Status.valueOf(body.path("status").asText()),
                    body.path("detail").asText(null));
            ctx.status(204);
        }, agent);
        config.routes.post(AgentPaths.GOODBYE, ctx -> {
            agents.goodbye(ctx.queryParamAsClass("agent", String.class).get());
            ctx.status(204);
        }, agent);
    }

    private static String id(Context ctx) {
        return ctx.pathParam("id");
    }

    private static String lease(Context ctx) {
        return ctx.queryParamAsClass("lease", String.class).get();
    }

    private static int step(Context ctx) {
        return ctx.pathParamAsClass("step", Integer.class).get();
    }

    private static Duration waitOf(Context ctx) {
        return Duration.ofMillis(Math.min(MAX_WAIT_MS, ctx.queryParamAsClass("wait", Long.class).getOrDefault(0L)));
    }
}
