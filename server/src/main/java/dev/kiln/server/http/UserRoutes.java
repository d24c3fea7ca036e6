package dev.kiln.server.http;

import dev.kiln.server.access.Access;
import dev.kiln.server.access.AccessGuard;
import dev.kiln.server.access.ApiTokens;
import dev.kiln.server.access.AuditLog;
import dev.kiln.server.access.Principal;
import dev.kiln.server.access.Role;
import dev.kiln.server.access.Users;
import dev.kiln.spec.api.UserRequest;
import dev.kiln.spec.api.UserView;
import dev.kiln.spec.api.WhoAmIView;
import io.javalin.config.JavalinConfig;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import io.javalin.http.ForbiddenResponse;
import io.javalin.http.HttpResponseException;
import io.javalin.http.NotFoundResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Deque;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.function.Predicate;

/**
 * {@code /api/users} and {@code /api/whoami}: people, their roles (global and per repo), disabling
 * them, their passwords; {@link TokenRoutes} for their tokens. No answer carries a password hash;
 * a generated password is in the one answer that made it. Every change is in the audit log (never
 * a password).
 */
public final class UserRoutes {
    private final Users users;
    private final ApiTokens tokens;
    private final AuditLog audit;
    private final Predicate<String> repoExists;
    private final TokenRoutes tokenRoutes;
    private final Clock clock;
    /** Recent wrong old passwords per user: a token must not be a way to guess its user's password at leisure. */
    private final Map<String, Deque<Long>> wrongOld = new ConcurrentHashMap<>();
    private static final int WRONG_OLD_LIMIT = 5;
    private static final long WRONG_OLD_WINDOW = Duration.ofMinutes(15).toMillis();
    /**
     * Changes of roles and of disabling go one at a time, so that two admins demoting each other at
     * once cannot both pass the "not the last admin" check.
     */
    private final Object changes = new Object();

    public UserRoutes(Users users, ApiTokens tokens, AuditLog audit, Predicate<String> repoExists, Clock clock) {
        this.users = users;
        this.tokens = tokens;
        this.audit = audit;
        this.repoExists = repoExists;
        this.tokenRoutes = new TokenRoutes(users, tokens, audit, clock);
        this.clock = clock;
    }

    void register(JavalinConfig config) {
        config.routes.get("/api/users", ctx -> ctx.json(users.list().stream().map(u -> view(u, null)).toList()),
                Access.read(Role.ADMIN));
        config.routes.post("/api/users", this::add, Access.write(Role.ADMIN));
        // Admins only: a user reads their own record through /api/whoami.
        config.routes.get("/api/users/{name}", ctx -> ctx.json(view(existing(ctx), null)), Access.read(Role.ADMIN));
        config.routes.post("/api/users/{name}/role", this::setRole, Access.write(Role.ADMIN));
        config.routes.post("/api/users/{name}/repo-roles", this::setRepoRole, Access.write(Role.ADMIN));
        config.routes.post("/api/users/{name}/disable", ctx -> setDisabled(ctx, true), Access.write(Role.ADMIN));
        config.routes.post("/api/users/{name}/enable", ctx -> setDisabled(ctx, false), Access.write(Role.ADMIN));
        // Viewers too: anyone may change their own password, with the old one; an admin sets anyone's.
        config.routes.post("/api/users/{name}/password", this::password, Access.write(Role.VIEWER));
        config.routes.get("/api/whoami", this::whoami, Access.read());
        tokenRoutes.register(config);
    }

    private void add(Context ctx) {
        UserRequest req = body(ctx);
        if (req.name() == null || req.name().isBlank()) {
            throw new BadRequestResponse("name is required");
        }
        Role role = role(req.role(), "role");
        String generated = req.password() == null || req.password().isEmpty() ? Users.randomPassword() : null;
        Users.User u = users.add(req.name(), role, generated != null ? generated : req.password());
        audit.record(ctx, "user.add", u.name(), "role " + role.label());
        ctx.status(201).json(view(u, generated));
    }

    private void setRole(Context ctx) {
        Role role = role(body(ctx).role(), "role");
        synchronized (changes) {
            Users.User u = existing(ctx);
            if (u.role() == Role.ADMIN && role != Role.ADMIN && !u.disabled()) {
                refuseLastAdmin(u, "demote");
            }
            Users.User after = users.setRole(u.name(), role);
            audit.record(ctx, "user.role", u.name(), u.role().label() + " -> " + role.label());
            ctx.json(view(after, null));
        }
    }

    private void setRepoRole(Context ctx) {
        UserRequest req = body(ctx);
        if (req.repo() == null || req.repo().isBlank()) {
            throw new BadRequestResponse("repo is required");
        }
        Role role = req.role() == null || req.role().isBlank() || req.role().equalsIgnoreCase("none")
                ? null : role(req.role(), "role");
        synchronized (changes) {
            Users.User u = existing(ctx);
            Role before = u.repoRoles().get(req.repo());
            if (role != null) {
                if (!repoExists.test(req.repo())) {
                    throw new NotFoundResponse("no repo " + req.repo());
                }
                if (u.role().atLeast(role)) {
                    throw new BadRequestResponse("a repo role raises a user's role on one repo; " + u.name() + " is "
                            + u.role().label() + " everywhere already, so " + role.label() + " on " + req.repo()
                            + " would change nothing");
                }
            }
            Users.User after = users.setRepoRole(u.name(), req.repo(), role);
            audit.record(ctx, "user.repo-role", u.name(), "repo " + req.repo() + ": "
                    + (before == null ? "none" : before.label()) + " -> " + (role == null ? "none" : role.label()));
            ctx.json(view(after, null));
        }
    }

    private void setDisabled(Context ctx, boolean disabled) {
        synchronized (changes) {
            Users.User u = existing(ctx);
            if (disabled && u.role() == Role.ADMIN && !u.disabled()) {
                refuseLastAdmin(u, "disable");
            }
            Users.User after = users.setDisabled(u.name(), disabled);
            if (u.disabled() != disabled) {
                audit.record(ctx, disabled ? "user.disable" : "user.enable", u.name(), null);
            }
            ctx.json(view(after, null));
        }
    }

    /** An admin sets or resets anyone's (a generated one when none is given); a user changes their own with the old one. */
    private void password(Context ctx) {
        Principal who = AccessGuard.principal(ctx);
        String name = ctx.pathParam("name");
        UserRequest req = ctx.body().isBlank() ? UserRequest.password(null, null) : body(ctx);
        boolean admin = who.role() == Role.ADMIN;
        if (!admin && !name.equals(who.name())) {
            throw new ForbiddenResponse("only an admin may set another user's password; " + who.name() + " has "
                    + who.role().label());
        }
        Users.User u = existing(ctx);
        String generated = null;
        if (admin && (req.oldPassword() == null || !name.equals(who.name()))) {
            generated = req.password() == null || req.password().isEmpty() ? Users.randomPassword() : null;
            users.setPassword(u.name(), generated != null ? generated : req.password());
            audit.record(ctx, "user.password", u.name(), generated != null ? "reset (generated)" : "set by an admin");
        } else {
            if (req.password() == null || req.password().isEmpty() || req.oldPassword() == null) {
                throw new BadRequestResponse("to change your own password give password (the new one) and oldPassword");
            }
            // A password gives its user's whole role: a token capped below it must not lead there.
            Role cap = tokens.get(who.tokenId()).map(ApiTokens.TokenInfo::role).orElse(Role.ADMIN);
            if (!cap.atLeast(u.role())) {
                throw new ForbiddenResponse("this token carries " + cap.label() + ", less than " + u.name() + "'s role "
                        + u.role().label() + "; change the password with a token that carries all of it, or ask an admin");
            }
            refuseGuessing(u.name());
            if (users.checkPassword(u.name(), req.oldPassword()).isEmpty()) {
                wrongOld.computeIfAbsent(u.name(), k -> new ConcurrentLinkedDeque<>()).add(clock.millis());
                audit.record(ctx, "user.password.refused", u.name(), "wrong old password");
                throw new ForbiddenResponse("the old password is not right");
            }
            wrongOld.remove(u.name());
            users.setPassword(u.name(), req.password());
            audit.record(ctx, "user.password", u.name(), "changed by the user");
        }
        ctx.json(view(users.get(u.name()).orElseThrow(), generated));
    }

    private void whoami(Context ctx) {
        Principal who = AccessGuard.principal(ctx);
        var token = tokens.get(who.tokenId());
        String userRole = users.get(who.name()).map(u -> u.role().label()).orElse(null);
        ctx.json(new WhoAmIView(who.name(), who.role().label(), labels(who.repoRoles()), userRole,
                token.isPresent() ? who.tokenId() : null,
                token.map(t -> TokenRoutes.capLabel(t.role())).orElse(null),
                token.map(t -> t.expireTime() == null ? null : Instant.ofEpochMilli(t.expireTime())).orElse(null)));
    }

    /** The path's user, to an admin or to that user; anyone else hears 403 whether or not the name exists. */
    private Users.User existing(Context ctx) {
        String name = ctx.pathParam("name");
        return users.get(name).orElseThrow(() -> new NotFoundResponse("no user " + name));
    }

    /** 429 after {@value #WRONG_OLD_LIMIT} wrong old passwords for {@code name} within 15 minutes. */
    private void refuseGuessing(String name) {
        Deque<Long> wrong = wrongOld.get(name);
        if (wrong == null) {
            return;
        }
        long now = clock.millis();
        wrong.removeIf(t -> t <= now - WRONG_OLD_WINDOW);
        Long first = wrong.peekFirst();
        if (wrong.size() >= WRONG_OLD_LIMIT && first != null) {
            long minutes = Math.max(1, (first + WRONG_OLD_WINDOW - now + 59_999) / 60_000);
            throw new HttpResponseException(429, "too many wrong old passwords for " + name
                    + "; try again in " + minutes + " minute(s), or ask an admin to reset it");
        }
    }

    /** Refuses to take away the admin role of {@code u} when no other enabled admin would be left. */
    private void refuseLastAdmin(Users.User u, String what) {
        boolean another = users.list().stream()
                .anyMatch(o -> !o.name().equals(u.name()) && o.role() == Role.ADMIN && !o.disabled());
        if (!another) {
            throw new Users.UserException(409, "cannot " + what + " " + u.name() + ": it is the last enabled admin,"
                    + " and nobody could manage users any more; make another user admin first");
        }
    }

    static Role role(String text, String field) {
        if (text == null || text.isBlank()) {
            throw new BadRequestResponse(field + " is required; one of " + Role.names());
        }
        try {
            return Role.parse(text);
        } catch (IllegalArgumentException e) {
            throw new BadRequestResponse(field + ": " + e.getMessage());
        }
    }

    private static UserRequest body(Context ctx) {
        UserRequest req = ctx.bodyAsClass(UserRequest.class);
        if (req == null) {
            throw new BadRequestResponse("the request body is not valid JSON for this call: it is empty");
        }
        return req;
    }

    static UserView view(Users.User u, String generatedPassword) {
        return new UserView(u.name(), u.role().label(), u.disabled(), labels(u.repoRoles()),
                Instant.ofEpochMilli(u.createTime()), generatedPassword);
    }

    private static Map<String, String> labels(Map<String, Role> roles) {
        Map<String, String> m = new TreeMap<>();
        roles.forEach((repo, r) -> m.put(repo, r.label()));
        return m;
    }
}
