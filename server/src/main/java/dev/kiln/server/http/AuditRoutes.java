package dev.kiln.server.http;

import dev.kiln.server.access.Access;
import dev.kiln.server.access.AuditLog;
import dev.kiln.server.access.Role;
import dev.kiln.spec.api.AuditEntryView;
import io.javalin.config.JavalinConfig;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.List;

/** {@code GET /api/audit}: the audit log, newest first, for admins. There is no route that changes it. */
final class AuditRoutes {
    /** The most entries one page holds. */
    static final int MAX_LIST = 500;

    private final AuditLog audit;

    AuditRoutes(AuditLog audit) {
        this.audit = audit;
    }

    void register(JavalinConfig config) {
        config.routes.get("/api/audit", ctx -> ctx.json(page(ctx).stream().map(AuditRoutes::view).toList()),
                Access.read(Role.ADMIN));
    }

    /** The entries {@code limit}, {@code before} and {@code action} ask for; a bad one is a 400 naming it. */
    static List<AuditLog.Entry> page(Context ctx, AuditLog audit, int max, int otherwise) {
        int limit = (int) Params.query(ctx, "limit", 1, max, otherwise);
        Long before = ctx.queryParam("before") == null ? null : Params.query(ctx, "before", 1, Long.MAX_VALUE, 0);
        String action = ctx.queryParam("action");
        if (action != null && action.length() > 64) {
            throw new BadRequestResponse("action must be at most 64 characters, as actions are (build.cancel, trigger.run...)");
        }
        return audit.list(limit, before, action == null || action.isBlank() ? null : action.strip());
    }

    private List<AuditLog.Entry> page(Context ctx) {
        return page(ctx, audit, MAX_LIST, 50);
    }

    static AuditEntryView view(AuditLog.Entry e) {
        return new AuditEntryView(e.seq(), Instant.ofEpochMilli(e.time()), e.actor(), e.action(), e.target(), e.detail(),
                e.address());
    }
}
