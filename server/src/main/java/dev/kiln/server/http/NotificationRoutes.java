package dev.kiln.server.http;

import dev.kiln.server.access.Access;
import dev.kiln.server.access.AuditLog;
import dev.kiln.server.access.Role;
import dev.kiln.server.notify.Notifications;
import dev.kiln.spec.api.NotificationRequest;
import io.javalin.config.JavalinConfig;

/**
 * {@code /api/notifications}: the hooks told of promotions, for admins only (a hook's URL and what it
 * is sent are the server's business). A hook's secret is in the answer to its add and nowhere else.
 */
public final class NotificationRoutes {
    /** The most deliveries one page holds. */
    static final int MAX_LIST = 500;

    private final Notifications notifications;
    private final AuditLog audit;

    public NotificationRoutes(Notifications notifications, AuditLog audit) {
        this.notifications = notifications;
        this.audit = audit;
    }

    void register(JavalinConfig config) {
        config.routes.get("/api/notifications", ctx -> ctx.json(notifications.list()), Access.read(Role.ADMIN));
        config.routes.post("/api/notifications", ctx -> {
            var view = notifications.add(ctx.bodyAsClass(NotificationRequest.class));
            audit.record(ctx, "notification.add", Long.toString(view.id()), host(view.url())
                    + (view.slack() ? " (slack)" : "") + (view.events().isEmpty() ? "" : " events " + String.join(",", view.events()))
                    + (view.repo() == null ? "" : " repo " + view.repo()));   // never the secret
            ctx.status(201).json(view);
        }, Access.write(Role.ADMIN));
        config.routes.delete("/api/notifications/{id}", ctx -> {
            var hook = notifications.remove(ctx.pathParam("id"));
            audit.record(ctx, "notification.remove", Long.toString(hook.id()), host(hook.url()));
            ctx.status(204);
        }, Access.write(Role.ADMIN));
        config.routes.get("/api/notifications/deliveries",
                ctx -> ctx.json(notifications.deliveries((int) Params.query(ctx, "limit", 1, MAX_LIST, 50))),
                Access.read(Role.ADMIN));
    }

    /**
     * The URL's scheme and host alone: a chat service's webhook URL carries its credential in the
     * path (Slack's /services/T/B/XXXX), and the audit log keeps what it is given for good.
     */
    static String host(String url) {
        java.net.URI u = java.net.URI.create(url);
        return u.getScheme() + "://" + u.getRawAuthority() + "/...";
    }
}
