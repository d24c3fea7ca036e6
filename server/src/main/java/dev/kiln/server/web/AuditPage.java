package dev.kiln.server.web;

import dev.kiln.server.access.Access;
import dev.kiln.server.access.AuditLog;
import dev.kiln.server.access.Role;
import dev.kiln.server.http.Params;
import dev.kiln.webui.Templates;
import dev.kiln.webui.view.AuditPage.Entry;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** {@code /admin/audit}: the audit log for admins, newest first, a page at a time, filtered by action. */
final class AuditPage {
    static final int PAGE = 100;

    private final AuditLog audit;

    AuditPage(AuditLog audit) {
        this.audit = audit;
    }

    void register(JavalinConfig config) {
        config.routes.get("/admin/audit", this::page, Access.read(Role.ADMIN));
    }

    private void page(Context ctx) {
        Long before = ctx.queryParam("before") == null ? null : Params.query(ctx, "before", 1, Long.MAX_VALUE, 0);
        String raw = ctx.queryParam("action");
        String action = raw == null || raw.isBlank() ? "" : raw.strip();
        if (action.length() > 64) {
            throw new io.javalin.http.BadRequestResponse("action must be at most 64 characters");
        }
        List<AuditLog.Entry> page = audit.list(PAGE + 1, before, action.isEmpty() ? null : action);
        boolean more = page.size() > PAGE;
        List<AuditLog.Entry> shown = more ? page.subList(0, PAGE) : page;
        String filter = action.isEmpty() ? "" : "action=" + URLEncoder.encode(action, StandardCharsets.UTF_8);
        String older = more ? "/admin/audit?" + filter + (filter.isEmpty() ? "" : "&") + "before=" + shown.get(PAGE - 1).seq() : "";
        String newest = before == null ? "" : "/admin/audit" + (filter.isEmpty() ? "" : "?" + filter);
        WebRoutes.html(ctx, Templates.render("audit.jte", new dev.kiln.webui.view.AuditPage(
                shown.stream().map(AuditPage::entry).toList(), action, older, newest)));
    }

    private static Entry entry(AuditLog.Entry e) {
        return new Entry(e.seq(), PageViews.stamp(e.time()), PageViews.text(e.actor()), PageViews.text(e.action()),
                PageViews.text(e.target()), PageViews.text(e.detail()), PageViews.text(e.address()));
    }
}
