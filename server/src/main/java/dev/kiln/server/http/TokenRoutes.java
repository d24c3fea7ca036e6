package dev.kiln.server.http;

import dev.kiln.server.access.Access;
import dev.kiln.server.access.AccessGuard;
import dev.kiln.server.access.ApiTokens;
import dev.kiln.server.access.AuditLog;
import dev.kiln.server.access.Principal;
import dev.kiln.server.access.Role;
import dev.kiln.server.access.Users;
import dev.kiln.spec.api.TokenRequest;
import dev.kiln.spec.api.TokenView;
import io.javalin.config.JavalinConfig;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.ConflictResponse;
import io.javalin.http.Context;
import io.javalin.http.ForbiddenResponse;
import io.javalin.http.NotFoundResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Pattern;

/**
 * {@code /api/tokens}: a user's API tokens. Anyone signed in makes, lists and revokes their own; an
 * admin those of anyone. A token is in the answer that made it and nowhere else (the server keeps
 * its hash, which no answer carries); a new token carries at most the role of the token that made it.
 */
public final class TokenRoutes {
    private static final Duration LONGEST = Duration.ofDays(3660);
    private static final Pattern USER = Pattern.compile("[a-z][a-z0-9._-]{0,63}");

    private final Users users;
    private final ApiTokens tokens;
    private final AuditLog audit;
    private final Clock clock;

    TokenRoutes(Users users, ApiTokens tokens, AuditLog audit, Clock clock) {
        this.users = users;
        this.tokens = tokens;
        this.audit = audit;
        this.clock = clock;
    }

    void register(JavalinConfig config) {
        config.routes.post("/api/tokens", this::create, Access.write(Role.VIEWER));
        config.routes.get("/api/tokens", this::list, Access.read());
        config.routes.delete("/api/tokens/{id}", this::revoke, Access.write(Role.VIEWER));
    }

    private void create(Context ctx) {
        Principal who = AccessGuard.principal(ctx);
        TokenRequest req = ctx.body().isBlank() ? new TokenRequest(null, null, null, null) : ctx.bodyAsClass(TokenRequest.class);
        if (req == null) {
            req = new TokenRequest(null, null, null, null);
        }
        String user = req.user() == null || req.user().isBlank() ? who.name() : req.user().strip();
        boolean forOther = !user.equals(who.name());
        if (forOther && who.role() != Role.ADMIN) {
            throw new ForbiddenResponse("only an admin may make a token for another user; " + who.name() + " has "
                    + who.role().label());
        }
        Users.User owner = users.get(user).orElseThrow(() -> new NotFoundResponse("no user " + user));
        if (owner.disabled()) {
            throw new ConflictResponse("user " + user + " is disabled; enable it first");
        }
        if (req.name() != null && req.name().length() > 100) {
            throw new BadRequestResponse("name is at most 100 characters");
        }
        Role requested = req.role() == null || req.role().isBlank() ? null : UserRoutes.role(req.role(), "role");
        // What the calling token carries caps what it can make: a viewer token of an admin makes viewer tokens.
        Role callerCap = forOther ? Role.ADMIN : tokens.get(who.tokenId()).map(ApiTokens.TokenInfo::role).orElse(who.highest());
        if (requested != null && !callerCap.atLeast(requested)) {
            throw new ForbiddenResponse("a token carries at most the role of the token that makes it: this one carries "
                    + callerCap.label() + ", not " + requested.label());
        }
        Role cap = requested != null ? requested : callerCap == Role.ADMIN ? null : callerCap.min(highest(owner));
        Long expireTime = req.expires() == null || req.expires().isBlank() ? null : clock.millis() + expiry(req.expires()).toMillis();
        String token = tokens.create(user, req.name(), cap, expireTime);
        ApiTokens.TokenInfo info = tokens.get(id(token)).orElseThrow();
        audit.record(ctx, "token.create", user, "token " + info.id() + " '" + info.name() + "', role "
                + (cap == null ? "the user's" : cap.label()) + (expireTime == null ? ", no expiry"
                : ", expires " + Instant.ofEpochMilli(expireTime)));
        ctx.status(201).json(view(info, token));
    }

    private void list(Context ctx) {
        Principal who = AccessGuard.principal(ctx);
        String user = ctx.queryParam("user");
        if (user != null && !USER.matcher(user).matches()) {
            throw new BadRequestResponse("user must be a user name (a-z, 0-9, '.', '_', '-', starting with a letter); got '"
                    + (user.length() > 30 ? user.substring(0, 30) + "…" : user) + "'");
        }
        boolean admin = who.role() == Role.ADMIN;
        if (user != null && !user.equals(who.name()) && !admin) {
            throw new ForbiddenResponse("only an admin may list another user's tokens; " + who.name() + " has "
                    + who.role().label());
        }
        String of = user != null ? user : admin ? null : who.name();
        ctx.json(tokens.list(of).stream().map(t -> view(t, null)).toList());
    }

    private void revoke(Context ctx) {
        Principal who = AccessGuard.principal(ctx);
        String id = ctx.pathParam("id");
        // Someone else's token is "no token" to a non-admin: the answer must not tell which ids exist.
        ApiTokens.TokenInfo t = tokens.get(id).filter(x -> x.user().equals(who.name()) || who.role() == Role.ADMIN)
                .orElseThrow(() -> new NotFoundResponse("no token " + id));
        if (t.revokeTime() != null) {
            throw new ConflictResponse("token " + id + " is revoked already");
        }
        tokens.revoke(id);
        audit.record(ctx, "token.revoke", t.user(), "token " + t.id() + " '" + t.name() + "'");
        ctx.json(view(tokens.get(id).orElseThrow(), null));
    }

    /** {@code 30d}, {@code 12h}, {@code 90m}, {@code 2w}: from now, at most ten years. */
    public static Duration expiry(String text) {
        Duration d = dev.kiln.spec.config.Durations.lifetime(text).orElse(null);
        if (d == null || d.isZero() || d.compareTo(LONGEST) > 0) {
            throw new BadRequestResponse("expires must be a time from now such as 90m, 12h, 30d or 2w, at most 3660d;"
                    + " got '" + (text.length() > 30 ? text.substring(0, 30) + "…" : text) + "'");
        }
        return d;
    }

    /** A token's cap as users read it: null when it caps nothing (admin), i.e. the token follows its user's role. */
    static String capLabel(Role cap) {
        return cap == Role.ADMIN ? null : cap.label();
    }

    private static Role highest(Users.User u) {
        Role best = u.role();
        for (Role r : u.repoRoles().values()) {
            best = best.max(r);
        }
        return best;
    }

    private static String id(String token) {
        return token.split("_", 3)[1];
    }

    static TokenView view(ApiTokens.TokenInfo t, String token) {
        return new TokenView(t.id(), t.name(), t.user(), capLabel(t.role()), Instant.ofEpochMilli(t.createTime()),
                t.expireTime() == null ? null : Instant.ofEpochMilli(t.expireTime()),
                t.revokeTime() == null ? null : Instant.ofEpochMilli(t.revokeTime()), token);
    }
}
