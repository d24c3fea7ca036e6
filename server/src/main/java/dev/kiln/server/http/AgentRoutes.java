package dev.kiln.server.http;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.server.access.Access;
import dev.kiln.server.access.AccessGuard;
import dev.kiln.server.agents.AgentIds;
import dev.kiln.server.agents.AgentRegistry;
import dev.kiln.server.agents.Agents;
import dev.kiln.server.scheduler.AgentService;
import dev.kiln.spec.api.BuiltImage;
import dev.kiln.spec.json.Json;
import dev.kiln.spec.metrics.MetricNames;
import dev.kiln.spec.metrics.MetricsReport;
import dev.kiln.spec.protocol.AgentApi.LogGapException;
import dev.kiln.spec.protocol.AgentJoin;
import dev.kiln.spec.protocol.AgentJoined;
import dev.kiln.spec.protocol.AgentPaths;
import dev.kiln.spec.protocol.LeaseRequest;
import dev.kiln.spec.protocol.Status;
import dev.kiln.spec.protocol.StepResult;
import io.javalin.config.JavalinConfig;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import io.javalin.http.ForbiddenResponse;
import io.javalin.http.Handler;
import io.javalin.http.UnauthorizedResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The agent protocol over HTTP ({@link Access#agent()}). Joining takes the registration token;
 * every other call the agent's own credential, which names the agent: the ids in requests only
 * tell its runs apart ({@link AgentIds}), and a call on a build leased to another agent is a 403.
 * Each handler reads and checks its parameters before its body, and both before it calls the service.
 * The admin's routes for agents ({@link AgentAdminRoutes}) are registered here too.
 */
final class AgentRoutes {
    private final AgentService agents;
    private final Agents directory;

    AgentRoutes(AgentService agents, Agents directory) {
        this.agents = agents;
        this.directory = directory;
    }

    void register(JavalinConfig config) {
        Access agent = Access.agent();
        config.routes.post(AgentPaths.REGISTER, ctx -> {
            if (!Agents.isRegistration(AccessGuard.principal(ctx))) {
                throw new ForbiddenResponse("this agent has joined already: it calls with its own credential, and"
                        + " only the registration token joins a new agent");
            }
            AgentJoin join = Json.MAPPER.readValue(ctx.bodyAsBytes(), AgentJoin.class);
            String bad = AgentRegistry.badName(join == null ? null : join.name());
            if (bad != null) {
                throw new BadRequestResponse(bad);
            }
            AgentRegistry.Joined joined = directory.registry().register(join.name());
            directory.audit().record(ctx, "agent.register", joined.agent().id(),
                    join.hostname() == null ? null : "from host " + join.hostname());
            ctx.status(201).json(new AgentJoined(joined.agent().id(), joined.credential()));
        }, agent);
        config.routes.post(AgentPaths.LEASE, ctx -> {
            String me = caller(ctx);
            Duration wait = waitOf(ctx);
            LeaseRequest req = Json.MAPPER.readValue(ctx.bodyAsBytes(), LeaseRequest.class);
            if (req == null) {
                throw new BadRequestResponse("send a lease request: {\"protocol\": ..., \"agentId\": ..., \"labels\": [...]}");
            }
            req = new LeaseRequest(req.protocol(), AgentIds.run(me, req.agentId()), req.hostname(),
                    req.labels() == null ? List.of() : req.labels());
            var lease = agents.lease(req, wait);
            if (lease.isPresent()) {
                ctx.json(lease.get());
            } else {
                ctx.status(204);
            }
        }, agent);
        config.routes.post(AgentPaths.HEARTBEAT, leased(ctx -> {
            Duration wait = waitOf(ctx);
            String lease = lease(ctx);
            ctx.json(agents.heartbeat(id(ctx), lease, wait));
        }), agent);
        config.routes.get(AgentPaths.SOURCE, leased(ctx -> {
            String lease = lease(ctx);
            ctx.contentType("application/gzip");
            ctx.result(agents.source(id(ctx), lease));
        }), agent);
        config.routes.post(AgentPaths.STEP_START, leased(ctx -> {
            int step = Params.step(ctx);
            long time = Params.required(ctx, "time", 0, Long.MAX_VALUE);
            String lease = lease(ctx);
            agents.stepStarted(id(ctx), lease, step, time);
            ctx.status(204);
        }), agent);
        config.routes.post(AgentPaths.STEP_LOG, leased(ctx -> {
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
        }), agent);
        config.routes.post(AgentPaths.STEP_FINISH, leased(ctx -> {
            int step = Params.step(ctx);
            String lease = lease(ctx);
            agents.stepFinished(id(ctx), lease, step, Json.MAPPER.readValue(ctx.bodyAsBytes(), StepResult.class));
            ctx.status(204);
        }), agent);
        config.routes.post(AgentPaths.STEP_METRICS, leased(ctx -> {
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
        }), agent);
        config.routes.post(AgentPaths.BUILD_ARTIFACTS, leased(ctx -> {
            String lease = lease(ctx);
            String path = Params.text(ctx, "path");
            long size = Params.required(ctx, "size", 0, Long.MAX_VALUE);
            Integer step = optionalStep(ctx);
            ctx.json(agents.uploadArtifact(id(ctx), lease, step, path, size, ctx.bodyInputStream()));
        }), agent);
        config.routes.post(AgentPaths.BUILD_ARTIFACT_CHECK, leased(ctx -> {
            String lease = lease(ctx);
            String path = Params.text(ctx, "path");
            long size = Params.required(ctx, "size", 0, Long.MAX_VALUE);
            agents.checkArtifact(id(ctx), lease, optionalStep(ctx), path, size);
            ctx.status(204);
        }), agent);
        config.routes.post(AgentPaths.BUILD_WARNINGS, leased(ctx -> {
            String lease = lease(ctx);
            Integer step = optionalStep(ctx);
            List<String> warnings = Json.MAPPER.readValue(ctx.bodyAsBytes(), new TypeReference<List<String>>() {});
            if (warnings == null || warnings.stream().anyMatch(w -> w == null)) {
                throw new BadRequestResponse("send a list of warnings, each a string");
            }
            agents.outputWarnings(id(ctx), lease, step, warnings);
            ctx.status(204);
        }), agent);
        config.routes.post(AgentPaths.BUILD_FINISH, leased(ctx -> {
            String lease = lease(ctx);
            JsonNode body = Json.MAPPER.readTree(ctx.bodyAsBytes());
            agents.buildFinished(id(ctx), lease, status(body.path("status").asText()), body.path("detail").asText(null));
            ctx.status(204);
        }), agent);
        config.routes.post(AgentPaths.BUILD_IMAGES, leased(ctx -> {
            String lease = lease(ctx);
            List<BuiltImage> images = Json.MAPPER.readValue(ctx.bodyAsBytes(), new TypeReference<List<BuiltImage>>() {});
            if (images == null || images.stream().anyMatch(i -> i == null || i.name() == null || i.digest() == null)) {
                throw new BadRequestResponse("send a list of {\"name\": ..., \"digest\": ...}");
            }
            agents.imagesPushed(id(ctx), lease, images);
            ctx.status(204);
        }), agent);
        config.routes.get(AgentPaths.PRODUCTION, leased(ctx -> {
            String lease = lease(ctx);
            ctx.json(agents.production(id(ctx), lease));
        }), agent);
        config.routes.get(AgentPaths.PRODUCTION_FILE, leased(ctx -> {
            String lease = lease(ctx);
            String build = Params.text(ctx, "build");
            String path = Params.text(ctx, "path");
            ctx.contentType("application/octet-stream");
            ctx.result(agents.productionFile(id(ctx), lease, build, path));
        }), agent);
        config.routes.post(AgentPaths.GOODBYE, ctx -> {
            String me = caller(ctx);
            agents.goodbye(AgentIds.run(me, Params.text(ctx, "agent")));
            ctx.status(204);
        }, agent);
        new AgentAdminRoutes(directory).register(config);
    }

    /** The agent whose credential the call carries; the registration token joins and does nothing else. */
    private static String caller(Context ctx) {
        var who = AccessGuard.principal(ctx);
        String me = Agents.agentOf(who);
        if (me == null && !Agents.isRegistration(who)) {
            // The guard lets a read fall back on a browser's session cookie: no person is an agent.
            throw new UnauthorizedResponse("this call takes an agent's own credential");
        }
        if (me == null) {
            throw new ForbiddenResponse("the registration token only joins a new agent; every other call takes the"
                    + " agent's own credential, which `kiln agent` gets when it joins and keeps in its work directory");
        }
        return me;
    }

    /**
     * A call on one build: it runs only when the build is leased to the calling agent, or to none
     * (then the service answers 410, as the lease is gone). Every {@code /builds/{id}} route is one.
     */
    private Handler leased(Handler call) {
        return ctx -> {
            String me = caller(ctx);
            String build = id(ctx);
            agents.leaseHolder(build).map(AgentIds::owner).filter(holder -> !holder.equals(me)).ifPresent(holder -> {
                throw new ForbiddenResponse("build " + build + " is leased to another agent; an agent's credential"
                        + " reaches only the builds it leases");
            });
            call.handle(ctx);
        };
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
