package dev.kiln.server.web;

import dev.kiln.server.access.Access;
import dev.kiln.server.access.AccessGuard;
import dev.kiln.server.access.ApiTokens;
import dev.kiln.server.access.AuditLog;
import dev.kiln.server.access.BrowserSessions;
import dev.kiln.server.access.Principal;
import dev.kiln.server.access.Role;
import dev.kiln.server.access.SignIn;
import dev.kiln.server.http.TokenRoutes;
import dev.kiln.spec.api.ApiError;
import dev.kiln.spec.api.LoginRequest;
import dev.kiln.spec.api.LoginView;
import dev.kiln.spec.json.Json;
import dev.kiln.webui.Templates;
import dev.kiln.webui.view.LoginPage;
import io.javalin.config.JavalinConfig;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.io.IOException;
import java.time.Duration;
import java.time.Clock;
import java.util.List;
import java.util.Set;

/**
 * Signing in and out: the dashboard's form (a session cookie) and {@code POST /api/login} (an API
 * token for {@code kiln login}), both checked by the {@link Access.Realm#LOGIN} realm
 * ({@link SignIn}: user name, password, rate limit) before a handler here runs; sign-out from the
 * page header and {@code POST /api/logout} ({@code kiln logout}, which revokes the token it is
 * called with). Each goes to the audit log.
 */
public final class SignInRoutes {
    /** {@code POST /api/login}: the LOGIN realm with a JSON body, which no page of another site can send without asking. */
    static final Access API_LOGIN = new Access(Access.Realm.LOGIN, true, Set.of(Access.JSON), null, false);

    private final BrowserSessions sessions;
    private final ApiTokens tokens;
    private final AuditLog audit;
    private final Clock clock;

    public SignInRoutes(BrowserSessions sessions, ApiTokens tokens, AuditLog audit, Clock clock) {
        this.sessions = sessions;
        this.tokens = tokens;
        this.audit = audit;
        this.clock = clock;
    }

    /** The signed-in browsers, whose live feeds end with their sessions. */
    BrowserSessions sessions() {
        return sessions;
    }

    void register(JavalinConfig config) {
        config.routes.get("/login", this::page, Access.open());
        config.routes.post("/login", this::login, Access.login());
        config.routes.post("/logout", this::logout, Access.form(Role.VIEWER));
        config.routes.post("/api/login", this::apiLogin, API_LOGIN);
        config.routes.post("/api/logout", this::apiLogout, Access.write(Role.VIEWER));
        config.routes.exception(SignIn.Refused.class, this::refused);
    }

    private void page(Context ctx) {
        String notice = "";
        if (sessions.stale(ctx)) {
            notice = "Your session has ended (after " + hours(BrowserSessions.IDLE) + " without use, or "
                    + hours(BrowserSessions.ABSOLUTE) + " after signing in). Sign in again.";
            sessions.end(ctx);
        } else {
            // An open route: the guard looked at no credentials, so the header learns who is signed in here.
            sessions.current(ctx).ifPresent(who -> ctx.attribute(AccessGuard.PRINCIPAL, who));
        }
        WebRoutes.html(ctx, Templates.render("login.jte", new LoginPage(next(ctx.queryParam("next")), "", "", notice)));
    }

    private void login(Context ctx) {
        Principal who = AccessGuard.principal(ctx);
        sessions.start(ctx, who.name());
        audit.record(who.name(), "login", who.name(), "dashboard", AuditLog.address(ctx));
        ctx.redirect(next(ctx.formParam("next")), HttpStatus.SEE_OTHER);
    }

    private void logout(Context ctx) {
        String user = sessions.user(ctx).orElse(AccessGuard.principal(ctx).name());
        sessions.end(ctx);
        audit.record(user, "logout", user, "dashboard", AuditLog.address(ctx));
        ctx.redirect("/login", HttpStatus.SEE_OTHER);
    }

    private void apiLogin(Context ctx) throws IOException {
        Principal who = AccessGuard.principal(ctx);
        LoginRequest r = Json.MAPPER.readValue(ctx.bodyAsBytes(), LoginRequest.class);
        Long expires = r.expires() == null || r.expires().isBlank() ? null : clock.millis() + TokenRoutes.expiry(r.expires()).toMillis();
        String name = r.tokenName() == null || r.tokenName().isBlank() ? "kiln login" : r.tokenName().strip();
        if (name.length() > 100) {
            throw new BadRequestResponse("tokenName: at most 100 characters");
        }
        String token = tokens.create(who.name(), name, null, expires);
        audit.record(who.name(), "login", who.name(), "api, token " + idOf(token) + " (" + name + ")", AuditLog.address(ctx));
        ctx.status(201).json(new LoginView(token, who.name(), who.role().label()));
    }

    /** Revokes the token the call came with: what {@code kiln logout} does with the token {@code kiln login} stored. */
    private void apiLogout(Context ctx) {
        Principal who = AccessGuard.principal(ctx);
        tokens.revoke(who.tokenId());
        audit.record(who.name(), "logout", who.name(), "api, token " + who.tokenId(), AuditLog.address(ctx));
        ctx.status(204);
    }

    /** A sign-in refused: the form again, saying why (and until when, when rate limited), or JSON for the API. */
    private void refused(SignIn.Refused e, Context ctx) {
        if (e.status() == 429) {
            ctx.header("Retry-After", Long.toString(e.retryAfter()));
        }
        ctx.status(e.status());
        if (ctx.path().startsWith("/api/")) {
            ctx.json(new ApiError(e.status(), e.getMessage(), List.of()));
            return;
        }
        String next = ctx.formParam("next");
        WebRoutes.html(ctx, Templates.render("login.jte", new LoginPage(next(next), e.user(), capitalised(e.getMessage()), "")));
    }

    /**
     * Only a path on this server: a sign-in must not become an open redirect ({@code //host},
     * {@code /\host}, and control characters, which browsers drop from URLs, are refused).
     */
    static String next(String n) {
        if (n == null || !n.startsWith("/") || n.startsWith("//") || n.contains("\\")) {
            return "/";
        }
        for (int i = 0; i < n.length(); i++) {
            if (n.charAt(i) < 0x20 || n.charAt(i) == 0x7f) {
                return "/";
            }
        }
        return n;
    }

    private static String idOf(String token) {
        String[] parts = token.split("_");
        return parts.length > 1 ? parts[1] : "?";
    }

    private static String hours(Duration d) {
        return d.toHours() == 1 ? "an hour" : d.toHours() + " hours";
    }

    private static String capitalised(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1) + ".";
    }
}
