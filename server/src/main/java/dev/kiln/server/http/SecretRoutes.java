package dev.kiln.server.http;

import dev.kiln.server.access.Access;
import dev.kiln.server.access.AuditLog;
import dev.kiln.server.access.Role;
import dev.kiln.server.secrets.Secrets;
import io.javalin.config.JavalinConfig;
import java.nio.charset.StandardCharsets;

/**
 * {@code /api/secrets}: admins set, list and delete the secrets builds get through secretEnv. A
 * value goes in as a request body and never comes out: the answer to a set is the name, scope and
 * time alone, and the audit log records the name and scope. The body is raw bytes
 * ({@code application/octet-stream}): a value is not JSON-escaped, and no cross-site form can send one.
 */
public final class SecretRoutes {
    private static final String BYTES = "application/octet-stream";

    private final Secrets secrets;
    private final AuditLog audit;

    public SecretRoutes(Secrets secrets, AuditLog audit) {
        this.secrets = secrets;
        this.audit = audit;
    }

    void register(JavalinConfig config) {
        config.routes.get("/api/secrets", ctx -> ctx.json(secrets.list()), Access.read(Role.ADMIN));
        config.routes.put("/api/secrets/{name}", ctx -> {
            String repo = ctx.queryParam("repo");
            var view = secrets.set(ctx.pathParam("name"), repo, new String(ctx.bodyAsBytes(), StandardCharsets.UTF_8));
            audit.record(ctx, "secret.set", view.name(), view.repo() == null ? "every build" : "repo " + view.repo());
            ctx.status(200).json(view);
        }, Access.write(Role.ADMIN, BYTES));
        config.routes.delete("/api/secrets/{name}", ctx -> {
            String repo = ctx.queryParam("repo");
            secrets.delete(ctx.pathParam("name"), repo);
            audit.record(ctx, "secret.deleted", ctx.pathParam("name"),
                    repo == null || repo.isBlank() ? "every build" : "repo " + repo);
            ctx.status(204);
        }, Access.write(Role.ADMIN));
    }
}
