package dev.kiln.server.access;

import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Signed-in browsers. Signing in (the {@code /login} form) takes an API token once and gives the
 * browser a random session id in an {@code HttpOnly; SameSite=Strict} cookie; each session has its
 * own CSRF token, which the server's pages put in their forms. A form post is accepted only with
 * the cookie, the matching token, and an Origin or Referer of this server (checked before, by
 * {@link AccessGuard}). Sessions live in memory: a restart signs everyone out, which is fine for
 * a token pasted in seconds.
 */
public final class BrowserSessions {
    public static final String COOKIE = "kiln_session";
    private static final Duration TTL = Duration.ofHours(12);

    private record Session(Principal who, String csrf, long expires) {}

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final Clock clock;

    public BrowserSessions(Clock clock) {
        this.clock = clock;
    }

    /** Starts a session for {@code who}; returns the cookie value. */
    public String start(Principal who) {
        long now = clock.millis();
        sessions.values().removeIf(s -> s.expires() < now);
        String id = secret();
        sessions.put(id, new Session(who, secret(), now + TTL.toMillis()));
        return id;
    }

    public void end(Context ctx) {
        String id = ctx.cookie(COOKIE);
        if (id != null) {
            sessions.remove(id);
        }
    }

    /** Who the request's session cookie belongs to (a read needs no CSRF token), empty without a live one. */
    public Optional<Principal> current(Context ctx) {
        return session(ctx).map(Session::who);
    }

    /** The CSRF token of the request's session, empty when it has none. */
    public Optional<String> csrf(Context ctx) {
        return session(ctx).map(Session::csrf);
    }

    /** The realm's check: the session cookie, a form token equal to the session's, and a browser's Origin or Referer. */
    public Optional<Principal> authenticate(Context ctx) {
        if (ctx.header("Origin") == null && ctx.header("Referer") == null) {
            return Optional.empty();   // a form post always names its page; without one this is not our page
        }
        Optional<Session> s = session(ctx);
        String given = ctx.formParam("csrf");
        if (s.isEmpty() || given == null || !MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8),
                s.get().csrf().getBytes(StandardCharsets.UTF_8))) {
            return Optional.empty();
        }
        return Optional.of(s.get().who());
    }

    /** The sign-in form's check: its {@code token} field is a valid API token. */
    public static AccessGuard.RequestAuthenticator login(AccessGuard.Authenticator tokens) {
        return ctx -> {
            if (ctx.header("Origin") == null && ctx.header("Referer") == null) {
                return Optional.empty();
            }
            String token = ctx.formParam("token");
            return token == null || token.isBlank() ? Optional.empty() : tokens.authenticate(token.strip());
        };
    }

    private Optional<Session> session(Context ctx) {
        String id = ctx.cookie(COOKIE);
        Session s = id == null ? null : sessions.get(id);
        if (s == null || s.expires() < clock.millis()) {
            return Optional.empty();
        }
        return Optional.of(s);
    }

    private String secret() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
