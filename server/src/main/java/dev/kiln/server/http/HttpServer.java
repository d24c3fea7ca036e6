package dev.kiln.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.kiln.server.access.Access;
import dev.kiln.server.access.AccessGuard;
import dev.kiln.server.access.AuditLog;
import dev.kiln.server.builds.BuildService;
import dev.kiln.server.builds.SourceStore;
import dev.kiln.server.disk.DiskFloor;
import dev.kiln.server.events.BuildEvents;
import dev.kiln.server.git.GitHosting;
import dev.kiln.server.git.Refusal;
import dev.kiln.server.logs.LogStore;
import dev.kiln.server.metrics.ServerMetrics;
import dev.kiln.server.retention.StatusService;
import dev.kiln.server.scheduler.AgentService;
import dev.kiln.server.artifacts.BuildArtifacts;
import dev.kiln.server.results.BuildMetrics;
import dev.kiln.server.store.BuildImages;
import dev.kiln.server.store.BuildStore;
import dev.kiln.server.web.Dashboard;
import dev.kiln.server.web.ErrorPages;
import dev.kiln.spec.api.ApiError;
import dev.kiln.spec.archive.ArchiveLimitException;
import dev.kiln.spec.json.Json;
import dev.kiln.spec.protocol.LeaseLostException;
import dev.kiln.spec.protocol.RefusedCallException;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.http.HttpResponseException;
import io.javalin.http.NotFoundResponse;
import io.javalin.http.sse.SseHandler;
import io.javalin.validation.ValidationException;
import io.javalin.json.JavalinJackson;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds the Javalin app: every route, and the one place where errors become HTTP statuses. */
public final class HttpServer {
    private static final Logger log = LoggerFactory.getLogger(HttpServer.class);

    private HttpServer() {}

    /**
     * Reads a refused upload to its end (into nothing), so that a client still sending it gets the
     * answer: a server that closes the connection under an upload resets it, and the client (Java's
     * among them) loses the answer. A client that asked first (Expect: 100-continue, as curl does
     * past 1 MiB) has sent nothing yet and gets the answer at once.
     */
    private static void drainUpload(io.javalin.http.Context ctx) {
        String expect = ctx.header("Expect");
        if (expect != null && expect.toLowerCase(java.util.Locale.ROOT).contains("100-continue")) {
            return;
        }
        try (InputStream in = ctx.req().getInputStream()) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException e) {
            // the client went away: nobody to answer
        }
    }

    /** Whether the request behind {@code ctx} no longer exists (Jetty recycled it). */
    private static boolean gone(io.javalin.http.Context ctx) {
        try {
            ctx.req().getRequestURI();
            return false;
        } catch (RuntimeException e) {
            return true;
        }
    }

    /** The template of the route a request matched ({@code /api/builds/{id}}), or {@code unmatched}. */
    static String route(io.javalin.http.Context ctx) {
        try {
            io.javalin.router.Endpoint e = ctx.endpoints().matchedHttpEndpoint();
            return e == null ? "unmatched" : e.path;
        } catch (RuntimeException e) {
            return "unmatched";
        }
    }

    public static Javalin create(BuildService builds, BuildStore store, LogStore logs, AgentService agents,
                                 BuildEvents events, StatusService status, AccessGuard guard, GitRoutes gitRoutes,
                                 GitHosting hosting, HookRoutes hookRoutes, Dashboard dashboard, ServerMetrics metrics,
                                 BuildImages images, RegistryRoutes registryRoutes, UserRoutes userRoutes,
                                 AuditLog audit, SecretRoutes secretRoutes, dev.kiln.server.agents.Agents agentDirectory,
                                 BuildMetrics buildMetrics, BuildArtifacts artifacts, PromotionRoutes promotionRoutes,
                                 NotificationRoutes notificationRoutes) {
        Views views = new Views(store, logs, images, buildMetrics);
        ApiRoutes api = new ApiRoutes(builds, store, logs, views, status, metrics, audit);
        AgentRoutes agentRoutes = new AgentRoutes(agents, agentDirectory);
        return Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.jsonMapper(new JavalinJackson(Json.MAPPER, false));
            // Logs are the big payloads and are streamed raw; compressing them costs more than it saves here.
            config.http.compressionStrategy = CompressionStrategy.NONE;
            config.http.maxRequestSize = 64L << 20;
            // After every request, errors included: by the matched route's template, so that ids in paths
            // cannot grow the number of series.
            config.requestLogger.http((ctx, ms) -> metrics.request(ctx.method().name(), route(ctx), ctx.status().getCode(), ms));
            // Every route declares an Access rule; nothing runs before the guard has checked it.
            config.routes.beforeMatched(guard::check);
            api.register(config);
            agentRoutes.register(config);
            gitRoutes.register(config, views);
            hookRoutes.register(config);
            registryRoutes.register(config);
            new ArtifactRoutes(store, artifacts).register(config);
            userRoutes.register(config);
            new AuditRoutes(audit).register(config);
            secretRoutes.register(config);
            promotionRoutes.register(config);
            notificationRoutes.register(config);
            // Git's smart HTTP is a servlet beside Javalin's: it has its own guard (GitAccessFilter).
            config.jetty.modifyServletContextHandler(hosting::install);
            // A plain GET that checks everything first, so that a refusal is a real status and not an
            // empty 200 stream: Javalin's SseHandler commits 200 before the client consumer runs.
            config.routes.get("/api/builds/{id}/events", ctx -> {
                String accept = ctx.header("Accept");
                if (accept == null || !accept.contains("text/event-stream")) {
                    throw new HttpResponseException(406, "this is a server-sent event stream; send Accept: text/event-stream");
                }
                String id = ctx.pathParam("id");
                if (store.get(id).isEmpty()) {
                    throw new NotFoundResponse("no build " + id);
                }
                // A browser's EventSource reconnects to the same URL with the last id it saw: that id, a
                // newer position than the URL's, wins.
                String lastId = ctx.header("Last-Event-ID");
                long[] from = Params.offsets(lastId != null && !lastId.isBlank() ? lastId.strip() : ctx.queryParam("offsets"),
                        store.steps(id).size());
                BuildStream.LogMode mode = Params.logMode(ctx);
                new SseHandler(client -> {
                    client.keepAlive();
                    Thread t = new Thread(new BuildStream(client, id, from, mode, store, logs, views, events, metrics), "kiln-sse-" + id);
                    t.setDaemon(true);
                    t.start();
                }).handle(ctx);
            }, Access.read());
            dashboard.register(config);
            config.routes.exception(BuildService.RefusedException.class, (e, ctx) ->
                    ctx.status(400).json(new ApiError(400, e.getMessage(), e.problems())));
            config.routes.exception(dev.kiln.server.hooks.Webhooks.Rejected.class, (e, ctx) ->
                    ctx.status(e.status()).json(new ApiError(e.status(), e.getMessage(), List.of())));
            config.routes.exception(Refusal.class, (e, ctx) ->
                    ctx.status(e.status()).json(new ApiError(e.status(), e.getMessage(), List.of())));
            config.routes.exception(dev.kiln.server.access.Users.UserException.class, (e, ctx) ->
                    ctx.status(e.status()).json(new ApiError(e.status(), e.getMessage(), List.of())));
            config.routes.exception(BuildService.ConflictException.class, (e, ctx) ->
                    ctx.status(409).json(new ApiError(409, e.getMessage(), List.of())));
            config.routes.exception(BuildService.NotFoundException.class, (e, ctx) ->
                    ctx.status(404).json(new ApiError(404, e.getMessage(), List.of())));
            // 507 Insufficient Storage: the request was fine, the server has no room for it now.
            config.routes.exception(DiskFloor.DiskFullException.class, (e, ctx) -> {
                drainUpload(ctx);
                ctx.status(507).json(new ApiError(507, e.getMessage(), List.of()));
            });
            config.routes.exception(SourceStore.SourceTooLargeException.class, (e, ctx) ->
                    ctx.status(413).json(new ApiError(413, e.getMessage(), List.of())));
            config.routes.exception(ArchiveLimitException.class, (e, ctx) ->
                    ctx.status(413).json(new ApiError(413, e.getMessage(), List.of())));
            config.routes.exception(LeaseLostException.class, (e, ctx) ->
                    ctx.status(410).result(e.getMessage()));
            config.routes.exception(BuildArtifacts.TooLargeException.class, (e, ctx) ->
                    ctx.status(413).json(new ApiError(413, e.getMessage(), List.of())));
            config.routes.exception(RefusedCallException.class, (e, ctx) ->
                    ctx.status(400).json(new ApiError(400, e.getMessage(), List.of())));
            config.routes.exception(HttpResponseException.class, (e, ctx) -> {
                if (ErrorPages.wantsPage(ctx)) {
                    ErrorPages.render(ctx, e.getStatus(), e.getMessage());
                } else {
                    ctx.status(e.getStatus()).json(new ApiError(e.getStatus(), e.getMessage(), List.of()));
                }
            });
            // A body that is not the JSON a call takes: Jackson's own words, without its excerpt of the input.
            config.routes.exception(JsonProcessingException.class, (e, ctx) ->
                    ctx.status(400).json(new ApiError(400, "the request body is not valid JSON for this call: "
                            + e.getOriginalMessage(), List.of())));
            // Not used by our routes (Params checks parameters); here so that a later one cannot leak a 500.
            config.routes.exception(ValidationException.class, (e, ctx) ->
                    ctx.status(400).json(new ApiError(400, "invalid " + String.join(", ", e.getErrors().keySet()), List.of())));
            // The client went away in the middle of its request body (Jetty's EofException is one): its
            // fault, not the server's, and worth a line in the log, not a stack trace.
            config.routes.exception(java.io.EOFException.class, (e, ctx) -> {
                log.warn("{} {}: the request body ended early ({})", ctx.method(), ctx.path(), e.toString());
                ctx.status(400).json(new ApiError(400, "the request body ended before its Content-Length", List.of()));
            });
            // Every other exception, an IOException too, is the server's: reading a file, the database, a broken
            // client connection. Their messages can hold paths and SQL, so they go to the server's log only.
            config.routes.exception(Exception.class, (e, ctx) -> {
                if (gone(ctx)) {
                    // An event stream's client left and Jetty recycled its request before the stream's thread
                    // ended it: nothing can be answered, and touching the request only throws again (seen as
                    // an endless chain of NullPointerExceptions in Javalin's error handling).
                    return;
                }
                log.error("{} {} failed", ctx.method(), ctx.path(), e);
                ctx.status(500).json(new ApiError(500, "internal error; the server's log has the details", List.of()));
            });
        });
    }
}
