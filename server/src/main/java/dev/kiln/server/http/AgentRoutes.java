package dev.kiln.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.agent.Json;
import dev.kiln.agent.http.HttpAgentApi;
import dev.kiln.server.scheduler.AgentService;
import dev.kiln.spec.protocol.AgentApi.LogGapException;
import dev.kiln.spec.protocol.LeaseRequest;
import dev.kiln.spec.protocol.Status;
import dev.kiln.spec.protocol.StepResult;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.UnauthorizedResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Map;

/** The agent protocol over HTTP; every request must carry the agent token. */
final class AgentRoutes {
    private static final long MAX_WAIT_MS = 60_000;

    private final AgentService agents;
    private final byte[] token;

    AgentRoutes(AgentService agents, String token) {
        this.agents = agents;
        this.token = token.getBytes(StandardCharsets.UTF_8);
    }

    void register(JavalinConfig config) {
        String p = HttpAgentApi.PREFIX;
        config.routes.before(p + "/*", this::authenticate);
        config.routes.post(p + "/lease", ctx -> {
            LeaseRequest req = Json.MAPPER.readValue(ctx.bodyAsBytes(), LeaseRequest.class);
            var lease = agents.lease(req, waitOf(ctx));
            if (lease.isPresent()) {
                ctx.json(lease.get());
            } else {
                ctx.status(204);
            }
        });
        config.routes.post(p + "/builds/{id}/heartbeat", ctx -> ctx.json(agents.heartbeat(id(ctx), lease(ctx), waitOf(ctx))));
        config.routes.get(p + "/builds/{id}/source", ctx -> {
            ctx.contentType("application/gzip");
            ctx.result(agents.source(id(ctx), lease(ctx)));
        });
        config.routes.post(p + "/builds/{id}/steps/{step}/start", ctx -> {
            agents.stepStarted(id(ctx), lease(ctx), step(ctx), ctx.queryParamAsClass("time", Long.class).get());
            ctx.status(204);
        });
        config.routes.post(p + "/builds/{id}/steps/{step}/log", ctx -> {
            byte[] body = ctx.bodyAsBytes();
            long offset = ctx.queryParamAsClass("offset", Long.class).get();
            try {
                ctx.json(Map.of("size", agents.appendLog(id(ctx), lease(ctx), step(ctx), offset, body, 0, body.length)));
            } catch (LogGapException e) {
                ctx.status(409).json(Map.of("size", e.size()));
            }
        });
        config.routes.post(p + "/builds/{id}/steps/{step}/finish", ctx -> {
            agents.stepFinished(id(ctx), lease(ctx), step(ctx), Json.MAPPER.readValue(ctx.bodyAsBytes(), StepResult.class));
            ctx.status(204);
        });
        config.routes.post(p + "/builds/{id}/finish", ctx -> {
            JsonNode body = Json.MAPPER.readTree(ctx.bodyAsBytes());
            agents.buildFinished(id(ctx), lease(ctx), Status.valueOf(body.path("status").asText()),
                    body.path("detail").asText(null));
            ctx.status(204);
        });
    }

    private void authenticate(Context ctx) {
        String header = ctx.header("Authorization");
        byte[] given = header != null && header.startsWith("Bearer ")
                ? header.substring(7).getBytes(StandardCharsets.UTF_8) : new byte[0];
        if (!MessageDigest.isEqual(given, token)) {
            throw new UnauthorizedResponse("agent token missing or wrong");
        }
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
