package dev.kiln.server.access;

import dev.kiln.spec.api.LoginRequest;
import dev.kiln.spec.json.Json;
import io.javalin.http.Context;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Optional;

/**
 * The {@link Access.Realm#LOGIN} realm's check: a user name and password, from the dashboard's
 * sign-in form or as JSON from {@code kiln login}. Rate limited by {@link LoginThrottle} before the
 * password is looked at; {@link Users#checkPassword} costs the same for a name that does not exist.
 * Every checked attempt goes to the audit log (the name tried and the address, never the password).
 * A refusal is a {@link Refused}, which the sign-in routes answer as a page or as JSON.
 */
public final class SignIn {
    private static final int MAX_NAME = 64;
    private static final int MAX_PASSWORD = 4096;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

    /** A sign-in that did not happen: 401 (wrong name or password), 429 (too many failures; {@code retryAfter} seconds). */
    public static final class Refused extends RuntimeException {
        private final int status;
        private final long retryAfter;
        private final String user;

        Refused(int status, String message, long retryAfter, String user) {
            super(message);
            this.status = status;
            this.retryAfter = retryAfter;
            this.user = user;
        }

        public int status() {
            return status;
        }

        public long retryAfter() {
            return retryAfter;
        }

        /** The user name that was tried, to fill the form in again. */
        public String user() {
            return user;
        }
    }

    private final Users users;
    private final LoginThrottle throttle;
    private final AuditLog audit;
    private final Clock clock;

    public SignIn(Users users, LoginThrottle throttle, AuditLog audit, Clock clock) {
        this.users = users;
        this.throttle = throttle;
        this.audit = audit;
        this.clock = clock;
    }

    /**
     * The realm's authenticator: the form's {@code user} and {@code password} fields (a form must
     * name its page in Origin or Referer, which the guard has checked is this server), or the JSON
     * body of {@code POST /api/login}.
     */
    public Optional<Principal> authenticate(Context ctx) {
        String user;
        String password;
        if (ctx.path().startsWith("/api/")) {
            LoginRequest r = json(ctx);
            user = r.user();
            password = r.password();
        } else {
            if (ctx.header("Origin") == null && ctx.header("Referer") == null) {
                return Optional.empty();   // a form post always names its page; without one this is not our page
            }
            user = ctx.formParam("user");
            password = ctx.formParam("password");
        }
        return Optional.of(check(user, password, AuditLog.address(ctx), ctx.path().startsWith("/api/") ? "api" : "dashboard"));
    }

    /** The principal of {@code user} if {@code password} is theirs, else {@link Refused}. */
    public Principal check(String user, String password, String address, String via) {
        String name = user == null ? "" : user.strip().toLowerCase(Locale.ROOT);
        boolean tooLong = name.length() > MAX_NAME || password != null && password.length() > MAX_PASSWORD;
        if (name.length() > MAX_NAME) {
            name = name.substring(0, MAX_NAME);   // no user has a longer name: kept short in the throttle and the audit log
        }
        if (name.isEmpty() || password == null || password.isEmpty()) {
            throw new Refused(401, "enter a user name and a password", 0, name);
        }
        long until = throttle.blockedUntil(name, address);
        if (until > 0) {
            // Not checked, and not written to the audit log either: a flood must not fill the database.
            long seconds = Math.max(1, (until - clock.millis() + 999) / 1000);
            throw new Refused(429, "too many failed sign-ins for this user name or from this address; try again after "
                    + TIME.format(Instant.ofEpochMilli(until)) + " (in " + inWords(seconds) + ")", seconds, name);
        }
        // A request may be 64 MiB: what no user can have is refused without hashing it.
        Optional<Users.User> u = tooLong ? Optional.empty() : users.checkPassword(name, password);
        if (u.isEmpty()) {
            throttle.failed(name, address);
            audit.record("anonymous", "login-failed", name, "via " + via, address);
            throw new Refused(401, "wrong user name or password (or the user is disabled)", 0, name);
        }
        throttle.succeeded(name);
        return ApiTokens.principal("password", u.get(), Role.ADMIN);
    }

    private static LoginRequest json(Context ctx) {
        String type = ctx.header("Content-Type");
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith(Access.JSON)) {
            throw new Refused(401, "send JSON {\"user\": ..., \"password\": ...} with Content-Type: application/json", 0, "");
        }
        try {
            LoginRequest r = Json.MAPPER.readValue(ctx.bodyAsBytes(), LoginRequest.class);
            if (r == null) {
                throw new Refused(401, "send JSON {\"user\": ..., \"password\": ...}", 0, "");
            }
            return r;
        } catch (IOException e) {
            throw new Refused(401, "send JSON {\"user\": ..., \"password\": ...}", 0, "");
        }
    }

    private static String inWords(long seconds) {
        return seconds < 90 ? seconds + " seconds" : (seconds + 59) / 60 + " minutes";
    }
}
