package dev.kiln.server.http;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.server.access.Access;
import dev.kiln.server.scheduler.AgentService;
import dev.kiln.spec.api.BuiltImage;
import dev.kiln.spec.json.Json;
import dev.kiln.spec.metrics.MetricNames;
import dev.kiln.spec.metrics.MetricsReport;
import dev.kiln.spec.protocol.AgentApi.LogGapException;
import dev.kiln.spec.protocol.AgentPaths;
import dev.kiln.spec.protocol.LeaseRequest;
import dev.kiln.spec.protocol.Status;
import dev.kiln.spec.protocol.StepResult;
import io.javalin.config.JavalinConfig;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The agent protocol over HTTP; every call must carry the agent token ({@link Access#agent()}).
 * Each handler reads and checks its parameters before its body, and both before it calls the service.
 */
final class AgentRoutes {
    private final AgentService agents;

    AgentRoutes(AgentService agents) {
        this.agents = agents;
    }

    void register(JavalinConfig config) {
        Access agent = Access.agent();
        config.routes.post(AgentPaths.LEASE, ctx -> {
            Duration wait = waitOf(ctx);
            LeaseRequest req = Json.MAPPER.readValue(ctx.bodyAsBytes(), LeaseRequest.class);
            var lease = agents.lease(req, wait);
            if (lease.isPresent()) {
                ctx.json(lease.get());
            } else {
                ctx.status(204);
            }
        }, agent);
        config.routes.post(AgentPaths.HEARTBEAT, ctx -> {
            Duration wait = waitOf(ctx);
            ctx.json(agents.heartbeat(id(ctx), lease(ctx), wait));
        }, agent);
        config.routes.get(AgentPaths.SOURCE, ctx -> {
            String lease = lease(ctx);
            ctx.contentType("application/gzip");
            ctx.result(agents.source(id(ctx), lease));
        }, agent);
        config.routes.post(AgentPaths.STEP_START, ctx -> {
            int step = Params.step(ctx);
            long time = Params.required(ctx, "time", 0, Long.MAX_VALUE);
            agents.stepStarted(id(ctx), lease(ctx), step, time);
            ctx.status(204);
        }, agent);
        config.routes.post(AgentPaths.STEP_LOG, ctx -> {
            int step = Params.step(ctx);
            long offset = Params.required(ctx, "offset", 0, Long.MAX_VALUE);
            // When the agent read the bytes; an older agent sends none and the server's clock stands in.
            long time = Params.query(ctx, "time", 0, Long.MAX_VALUE, System.currentTimeMillis());
            String lease = lease(ctx);
            byte[] body = ctx.bodyAsBytes();
            try {
                ctx.json(Map.of("size", agents.appendLog(id(ctx), lease, step, offset, body, 0, body.length, time)));
            } catch (LogGapException e) {
                ctx.status(409).json(Map.of("size", e.size()));
            }
        }, agent);
        config.routes.post(AgentPaths.STEP_FINISH, ctx -> {
            int step = Params.step(ctx);
            String lease = lease(ctx);
            agents.stepFinished(id(ctx), lease, step, Json.MAPPER.readValue(ctx.bodyAsBytes(), StepResult.class));
            ctx.status(204);
        }, agent);
        config.routes.post(AgentPaths.STEP_METRICS, ctx -> {
            int step = Params.step(ctx);
            String lease = lease(ctx);
            MetricsReport report = Json.MAPPER.readValue(ctx.bodyAsBytes(), MetricsReport.class);
            if (report == null || report.metrics().stream().anyMatch(m -> m == null || m.name() == null
                    || MetricNames.nameProblem(m.name()) != null || !Double.isFinite(m.value()))
                    || report.warnings().stream().anyMatch(w -> w == null)) {
                throw new BadRequestResponse("send {\"metrics\": [{\"name\": ..., \"value\": <finite number>}],"
                        + " \"warnings\": [...]} with names a metric may have");
            }
            agents.metricsReported(id(ctx), lease, step, report);
            ctx.status(204);
        }, agent);
        config.routes.post(AgentPaths.BUILD_ARTIFACTS, ctx -> {
            String lease = lease(ctx);
            String path = Params.text(ctx, "path");
            long size = Params.required(ctx, "size", 0, Long.MAX_VALUE);
            Integer step = optionalStep(ctx);
            ctx.json(agents.uploadArtifact(id(ctx), lease, step, path, size, ctx.bodyInputStream()));
        }, agent);
        config.routes.post(AgentPaths.BUILD_ARTIFACT_CHECK, ctx -> {
            String lease = lease(ctx);
            String path = Params.text(ctx, "path");
            long size = Params.required(ctx, "size", 0, Long.MAX_VALUE);
            agents.checkArtifact(id(ctx), lease, optionalStep(ctx), path, size);
            ctx.status(204);
        }, agent);
        config.routes.post(AgentPaths.BUILD_WARNINGS, ctx -> {
            String lease = lease(ctx);
            Integer step = optionalStep(ctx);
            List<String> warnings = Json.MAPPER.readValue(ctx.bodyAsBytes(), new TypeReference<List<String>>() {});
            if (warnings == null || warnings.stream().anyMatch(w -> w == null)) {
                throw new BadRequestResponse("send a list of warnings, each a string");
            }
            agents.outputWarnings(id(ctx), lease, step, warnings);
            ctx.status(204);
        }, agent);
        config.routes.post(AgentPaths.BUILD_FINISH, ctx -> {
            String lease = lease(ctx);
            JsonNode body = Json.MAPPER.readTree(ctx.bodyAsBytes());
            agents.buildFinished(id(ctx), lease, status(body.path("status").asText()), body.path("detail").asText(null));
            ctx.status(204);
        }, agent);
        config.routes.post(AgentPaths.BUILD_IMAGES, ctx -> {
            String lease = lease(ctx);
            List<BuiltImage> images = Json.MAPPER.readValue(ctx.bodyAsBytes(), new TypeReference<List<BuiltImage>>() {});
            if (images == null || images.stream().anyMatch(i -> i == null || i.name() == null || i.digest() == null)) {
                throw new BadRequestResponse("send a list of {\"name\": ..., \"digest\": ...}");
            }
            agents.imagesPushed(id(ctx), lease, images);
            ctx.status(204);
        }, agent);
        config.routes.post(AgentPaths.GOODBYE, ctx -> {
            agents.goodbye(Params.text(ctx, "agent"));
            ctx.status(204);
        }, agent);
    }

    private static String id(Context ctx) {
        return ctx.pathParam("id");
    }

    /** {@code step}, or null when the call is about the build itself. */
    private static Integer optionalStep(Context ctx) {
        long step = Params.query(ctx, "step", 0, Integer.MAX_VALUE, -1);
        return step < 0 ? null : (int) step;
    }

    private static String lease(Context ctx) {
        return Params.text(ctx, "lease");
    }

    private static Status status(String name) {
        try {
            return Status.valueOf(name);
        } catch (IllegalArgumentException e) {
            throw new BadRequestResponse("status must be one of " + Arrays.toString(Status.values()));
        }
    }

    private static Duration waitOf(Context ctx) {
        return Duration.ofMillis(Params.query(ctx, "wait", 0, AgentPaths.MAX_WAIT_MILLIS, 0));
    }
}
