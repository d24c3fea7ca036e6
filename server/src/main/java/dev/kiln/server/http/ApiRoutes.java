package dev.kiln.server.http;

import dev.kiln.server.access.Access;
import dev.kiln.server.access.AccessGuard;
import dev.kiln.server.access.AuditLog;
import dev.kiln.server.access.Principal;
import dev.kiln.server.access.Role;
import dev.kiln.spec.api.ApprovalRequest;
import dev.kiln.server.builds.BuildService;
import dev.kiln.server.logs.LogStore;
import dev.kiln.server.retention.StatusService;
import dev.kiln.server.store.Build;
import dev.kiln.server.store.BuildStore;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.NotFoundResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The REST API people and the CLI use: builds, their steps and logs, the server's status. Routes only translate. */
final class ApiRoutes {
    static final String GZIP = "application/gzip";
    /** The most builds one page of {@code GET /api/builds} holds. */
    static final int MAX_LIST = 500;

    private final BuildService builds;
    private final BuildStore store;
    private final LogStore logs;
    private final Views views;
    private final StatusService status;

    private final dev.kiln.server.metrics.ServerMetrics metrics;
    private final AuditLog audit;

    ApiRoutes(BuildService builds, BuildStore store, LogStore logs, Views views, StatusService status,
              dev.kiln.server.metrics.ServerMetrics metrics, AuditLog audit) {
        this.metrics = metrics;
        this.audit = audit;
        this.builds = builds;
        this.store = store;
        this.logs = logs;
        this.views = views;
        this.status = status;
    }

    void register(JavalinConfig config) {
        config.routes.get("/api/health", ctx -> ctx.json(Map.of("status", "ok")), Access.open());
        config.routes.post("/api/builds", this::create, Access.write(Role.DEVELOPER, GZIP, "application/x-gzip"));
        config.routes.get("/api/builds", this::list, Access.read());
        config.routes.get("/api/builds/{id}", ctx -> ctx.json(views.build(find(ctx))), Access.read());
        config.routes.post("/api/builds/{id}/cancel", ctx -> {
            Build b = allowed(ctx, Role.DEVELOPER);
            if (builds.cancel(b.id())) {
                audit.record(ctx, "build.cancel", b.id(), repo(b));
            }
            ctx.json(views.build(find(ctx)));
        }, Access.repoWrite(Role.DEVELOPER));
        config.routes.post("/api/builds/{id}/retry", ctx -> {
            Build b = allowed(ctx, Role.DEVELOPER);
            Build retry = builds.retry(b.id());
            audit.record(ctx, "build.retry", b.id(), "new build " + retry.id());
            ctx.status(201).json(views.build(retry));
        }, Access.repoWrite(Role.DEVELOPER));
        config.routes.post("/api/builds/{id}/approve", ctx -> decide(ctx, true), Access.repoWrite(Role.APPROVER));
        config.routes.post("/api/builds/{id}/reject", ctx -> decide(ctx, false), Access.repoWrite(Role.APPROVER));
        config.routes.get("/api/builds/{id}/steps/{step}/log", this::log, Access.read());
        // Kept builds outlive every retention rule (a promotion will keep production's build).
        config.routes.post("/api/builds/{id}/keep", ctx -> keep(ctx, true), Access.repoWrite(Role.DEVELOPER));
        config.routes.delete("/api/builds/{id}/keep", ctx -> keep(ctx, false), Access.repoWrite(Role.DEVELOPER));
        config.routes.get("/api/server/status", ctx -> ctx.json(status.status()), Access.read());
    }

    private void create(Context ctx) throws Exception {
        Map<String, String> subs = new LinkedHashMap<>();
        for (String kv : ctx.queryParams("substitution")) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new io.javalin.http.BadRequestResponse("substitution '" + kv + "' must have the form _KEY=VALUE");
            }
            subs.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        List<String> tags = ctx.queryParams("tag");
        // The body is opened only once the upload is admitted: opening it answers a client's
        // "Expect: 100-continue", which would send the whole archive just to be refused.
        Build b = builds.submit(ctx::bodyInputStream, ctx.queryParam("config"), subs, tags);
        audit.record(ctx, "build.submit", b.id(), ctx.queryParam("config") == null ? null : "config " + ctx.queryParam("config"));
        ctx.status(201).header("Location", "/api/builds/" + b.id()).json(views.build(b));
    }

    private void keep(Context ctx, boolean kept) {
        Build b = allowed(ctx, Role.DEVELOPER);
        builds.keep(b.id(), kept);
        audit.record(ctx, kept ? "build.keep" : "build.unkeep", b.id(), repo(b));
        ctx.json(views.build(find(ctx)));
    }

    /** Approves or rejects a PENDING build; the audit entry carries the comment. */
    private void decide(Context ctx, boolean approve) {
        Build b = allowed(ctx, Role.APPROVER);
        String comment = comment(ctx);
        Build decided = approve ? builds.approve(b.id(), approver(ctx), comment) : builds.reject(b.id(), approver(ctx), comment);
        audit.record(ctx, approve ? "build.approve" : "build.reject", b.id(), comment);
        ctx.json(views.build(decided));
    }

    /** What an audit entry of a build says beside its id: the repo it builds, if any. */
    static String repo(Build b) {
        return b.repo() == null ? null : "repo " + b.repo();
    }

    /** Who decides: the name of the token the guard accepted. */
    private static String approver(Context ctx) {
        Principal who = ctx.attribute(AccessGuard.PRINCIPAL);
        return who == null ? "unknown" : who.name();
    }

    /** The optional {@code {"comment": ...}} body; an empty body is no comment. */
    private static String comment(Context ctx) {
        if (ctx.body().isBlank()) {
            return null;
        }
        ApprovalRequest req = ctx.bodyAsClass(ApprovalRequest.class);
        return req == null ? null : req.comment();
    }

    private void list(Context ctx) {
        int limit = (int) Params.query(ctx, "limit", 1, MAX_LIST, 50);
        Long before = ctx.queryParam("before") == null ? null : Params.query(ctx, "before", 1, Long.MAX_VALUE, 0);
        String branch = ctx.queryParam("branch");
        BuildStore.Filter filter = new BuildStore.Filter(ctx.queryParam("repo"),
                branch == null ? null : "refs/heads/" + branch, ctx.queryParam("trigger"), Params.status(ctx, "status"));
        ctx.json(store.list(limit, before, filter).stream().map(views::build).toList());
    }

    /** Raw bytes of a step's log from {@code offset}; {@code X-Log-Size} tells how much exists now. */
    private void log(Context ctx) throws Exception {
        int step = Params.step(ctx);
        long offset = Params.query(ctx, "offset", 0, Long.MAX_VALUE, 0);
        Build b = find(ctx);
        // One row, not all the build's steps: the CLI asks here each time a log it follows grows.
        if (step < 0 || store.stepRun(b.id(), step).isEmpty()) {
            throw new NotFoundResponse("build " + b.id() + " has no step " + step);
        }
        long size = logs.size(b.id(), step);
        ctx.header("X-Log-Size", String.valueOf(size));
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.contentType("text/plain; charset=utf-8");
        ctx.result(new java.io.FilterInputStream(logs.open(b.id(), step, offset)) {
            @Override
            public int read(byte[] buf, int off, int len) throws java.io.IOException {
                int n = super.read(buf, off, len);
                metrics.streamed(n);
                return n;
            }
        });
    }

    /** The build of the path, once its caller is known to hold {@code role} on its repo (else 403). */
    private Build allowed(Context ctx, Role role) {
        Build b = find(ctx);
        AccessGuard.require(ctx, role, b.repo());
        return b;
    }

    private Build find(Context ctx) {
        String id = ctx.pathParam("id");
        return store.get(id).orElseThrow(() -> new NotFoundResponse("no build " + id));
    }
}
