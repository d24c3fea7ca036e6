package dev.kiln.server.access;

import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.SameSite;
import io.javalin.http.sse.SseClient;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Signed-in browsers. Signing in (user name and password, {@link SignIn}) gives the browser a new
 * random session id in an {@code HttpOnly; SameSite=Strict} cookie ({@code Secure} over HTTPS);
 * the id a browser brought is never reused, so a session id planted before sign-in is worth nothing
 * after it. Each session has its own CSRF token, which the server's pages put in their forms. A
 * form post is accepted only with the cookie, the matching token, and an Origin or Referer of this
 * server (checked before, by {@link AccessGuard}).
 *
 * <p>A session ends after {@link #IDLE} without a request, {@link #ABSOLUTE} after sign-in, or at
 * sign-out. It holds a user name, not a role: every use reads the user again, so a disabled user's
 * session stops at once and a role changed applies to the next click. Sessions live in memory: a
 * restart signs everyone out.
 */
public final class BrowserSessions {
    public static final String COOKIE = "kiln_session";
    public static final Duration IDLE = Duration.ofHours(1);
    public static final Duration ABSOLUTE = Duration.ofHours(12);
    /** Where {@link #current} leaves the session's CSRF token for the page being rendered. */
    public static final String CSRF = "kiln.csrf";

    private static final class Session {
        final String user;
        final String csrf;
        final long started;
        volatile long lastUsed;
        /** The live feeds this session opened: they end with it. */
        final List<SseClient> feeds = new CopyOnWriteArrayList<>();

        Session(String user, String csrf, long started) {
            this.user = user;
            this.csrf = csrf;
            this.started = started;
            this.lastUsed = started;
        }
    }

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final Users users;
    private final Clock clock;
    private final boolean publicHttps;

    /** {@code publicHttps}: people reach the server through an https --public-url (a proxy ends TLS), so cookies are Secure. */
    public BrowserSessions(Users users, Clock clock, boolean publicHttps) {
        this.users = users;
        this.clock = clock;
        this.publicHttps = publicHttps;
    }

    /**
     * Starts a session for {@code user} under a new id, ending the one the request came with, and
     * sets the cookie.
     */
    public void start(Context ctx, String user) {
        String old = ctx.cookie(COOKIE);
        if (old != null) {
            drop(old);   // the new cookie replaces it in the browser
        }
        long now = clock.millis();
        sessions.entrySet().stream().filter(e -> expired(e.getValue(), now)).map(Map.Entry::getKey).toList()
                .forEach(this::drop);
        String id = secret();
        sessions.put(id, new Session(user, secret(), now));
        ctx.cookie(cookie(ctx, id, -1));
    }

    /** Ends the request's session, if any, here and in the browser. */
    public void end(Context ctx) {
        String id = ctx.cookie(COOKIE);
        if (id != null) {
            drop(id);
            ctx.cookie(cookie(ctx, "", 0));
        }
    }

    /** Who the request's session cookie belongs to (a read needs no CSRF token), empty without a live one. */
    public Optional<Principal> current(Context ctx) {
        return session(ctx).flatMap(s -> principal(ctx, s));
    }

    /** The user name of the request's live session, if it has one (for the audit log at sign-out). */
    public Optional<String> user(Context ctx) {
        return session(ctx).map(s -> s.user);
    }

    /** The CSRF token of the request's session, empty when it has none. */
    public Optional<String> csrf(Context ctx) {
        return session(ctx).map(s -> s.csrf);
    }

    /** The realm's check: the session cookie, a form token equal to the session's, and a browser's Origin or Referer. */
    public Optional<Principal> authenticate(Context ctx) {
        if (ctx.header("Origin") == null && ctx.header("Referer") == null) {
            return Optional.empty();   // a form post always names its page; without one this is not our page
        }
        Optional<Session> s = session(ctx);
        String given = ctx.formParam("csrf");
        if (s.isEmpty() || given == null || !MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8),
                s.get().csrf.getBytes(StandardCharsets.UTF_8))) {
            return Optional.empty();
        }
        return principal(ctx, s.get());
    }

    /**
     * Ends {@code feed} (a live log or the builds list's updates) when the request's session ends:
     * a sign-out, or a disabled user or an expired session noticed at their next request. Nothing
     * for a feed opened with an API token or anonymously.
     */
    public void endWithSession(Context ctx, SseClient feed) {
        String id = ctx.cookie(COOKIE);
        Session s = id == null ? null : sessions.get(id);
        if (s != null) {
            s.feeds.removeIf(SseClient::terminated);   // closed ones are not kept for the session's life
            s.feeds.add(feed);
        }
    }

    private void drop(String id) {
        Session s = id == null ? null : sessions.remove(id);
        if (s != null) {
            s.feeds.forEach(SseClient::close);
        }
    }

    /** Whether the request brought a session cookie that is no longer live (it expired, or the server restarted). */
    public boolean stale(Context ctx) {
        return ctx.cookie(COOKIE) != null && session(ctx).isEmpty();
    }

    private Optional<Principal> principal(Context ctx, Session s) {
        Optional<Principal> who = users.get(s.user).filter(u -> !u.disabled())
                .map(u -> ApiTokens.principal("session", u, Role.ADMIN));
        if (who.isEmpty()) {
            drop(ctx.cookie(COOKIE));   // disabled or deleted: the session ends for good
        } else {
            ctx.attribute(CSRF, s.csrf);
        }
        return who;
    }

    private Optional<Session> session(Context ctx) {
        String id = ctx.cookie(COOKIE);
        Session s = id == null ? null : sessions.get(id);
        long now = clock.millis();
        if (s == null) {
            return Optional.empty();
        }
        if (expired(s, now)) {
            drop(id);
            return Optional.empty();
        }
        s.lastUsed = now;
        return Optional.of(s);
    }

    private static boolean expired(Session s, long now) {
        return now - s.lastUsed >= IDLE.toMillis() || now - s.started >= ABSOLUTE.toMillis();
    }

    /** {@code maxAge}: -1 for a cookie that lasts as long as the browser's session, 0 to delete it. */
    private Cookie cookie(Context ctx, String value, int maxAge) {
        boolean secure = publicHttps || "https".equalsIgnoreCase(ctx.scheme());
        return new Cookie(COOKIE, value, "/", maxAge, secure, true, null, SameSite.STRICT);
    }

    private String secret() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
