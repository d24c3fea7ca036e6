package dev.kiln.server.http;

import dev.kiln.server.access.Access;
import dev.kiln.server.access.AuditLog;
import dev.kiln.server.access.Role;
import dev.kiln.server.registries.RegistryStore;
import dev.kiln.spec.api.RegistryLogin;
import io.javalin.config.JavalinConfig;

/** {@code /api/registries}: the registry logins builds push with. No route ever returns a password. */
public final class RegistryRoutes {
    private final RegistryStore registries;
    private final AuditLog audit;

    public RegistryRoutes(RegistryStore registries, AuditLog audit) {
        this.registries = registries;
        this.audit = audit;
    }

    void register(JavalinConfig config) {
        config.routes.get("/api/registries", ctx -> ctx.json(registries.list()), Access.read());
        config.routes.post("/api/registries", ctx -> {
            var view = registries.login(ctx.bodyAsClass(RegistryLogin.class));
            audit.record(ctx, "registry.login", view.host(), "user " + view.username());   // never the password
            ctx.status(201).json(view);
        }, Access.write(Role.ADMIN));
        config.routes.delete("/api/registries/{host}", ctx -> {
            registries.logout(ctx.pathParam("host"));
            audit.record(ctx, "registry.logout", ctx.pathParam("host"), null);
            ctx.status(204);
        }, Access.write(Role.ADMIN));
    }
}
