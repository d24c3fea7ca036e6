package dev.kiln.server.access;

import io.javalin.http.Context;
import io.javalin.http.ForbiddenResponse;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.javalin.http.UnauthorizedResponse;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Runs before every matched route and enforces the route's {@link Access} rule, in this order:
 * the {@code Host} names this server (421; defeats DNS rebinding), a write comes from no other
 * origin (403), carries a token of the route's realm (401), and a body of a type the route takes
 * (415, so no form or text/plain "simple" cross-site request reaches a handler). A route with no
 * rule is refused. Git over HTTP and webhooks bring realms of their own: one more entry in
 * {@code realms}. The dashboard's buttons authenticate by session cookie: the
 * {@link Access.Realm#BROWSER} realm, whose authenticator also checks the form's CSRF token, here
 * before the body check, so that a cookie alone never changes anything.
 */
public final class AccessGuard {
    /** Where the request's {@link Principal} is kept for the handler. */
    public static final String PRINCIPAL = "kiln.principal";

    /** Checks a bearer token of one realm. */
    public interface Authenticator {
        Optional<Principal> authenticate(String bearer);
    }

    /** Checks whatever credentials a realm takes from the whole request (a cookie and a form field). */
    public interface RequestAuthenticator {
        Optional<Principal> authenticate(Context ctx);
    }

    /** A realm's credential check and what a 401 tells the caller about where its token lives. */
    public record RealmAuth(RequestAuthenticator authenticator, String whereTheTokenIs) {
        /** A realm of bearer tokens ({@code Authorization: Bearer T}). */
        public static RealmAuth bearer(Authenticator tokens, String whereTheTokenIs) {
            return new RealmAuth(ctx -> {
                String t = AccessGuard.bearer(ctx.header("Authorization"));
                return t == null ? Optional.empty() : tokens.authenticate(t);
            }, whereTheTokenIs);
        }
    }

    private final Hosts hosts;
    private final Map<Access.Realm, RealmAuth> realms;
    private final RequestAuthenticator sessionCookie;
    private final boolean publicRead;

    /**
     * {@code sessionCookie}: a signed-in browser's cookie, which reads take as well as a bearer token
     * (no CSRF token is needed to read). {@code publicRead}: anyone may read what a viewer may.
     */
    public AccessGuard(Hosts hosts, Map<Access.Realm, RealmAuth> realms, RequestAuthenticator sessionCookie,
                       boolean publicRead) {
        this.hosts = hosts;
        this.realms = Map.copyOf(realms);
        this.sessionCookie = sessionCookie;
        this.publicRead = publicRead;
    }

    public void check(Context ctx) {
        Access rule = ctx.routeRoles().stream().filter(Access.class::isInstance).map(Access.class::cast)
                .findFirst().orElseThrow(() -> new ForbiddenResponse("this route declares no access rule"));
        String host = ctx.header("Host");
        if (rule.realm() != Access.Realm.HOOK && rule.realm() != Access.Realm.AGENT && !hosts.allows(host)) {
            throw new HttpResponseException(421, "this server does not answer to the host name '" + host
                    + "'; use one of " + hosts.names() + " or start it with --public-url");
        }
        if (rule.realm() == Access.Realm.HOOK) {
            // A forge sends no token and names the public host, not ours; what proves a delivery is its
            // signature over the body, which the route checks before it parses anything (no browser
            // page can compute it without the secret, so no Origin check is needed either).
            return;
        }
        boolean read = !rule.changesState() && isSafe(ctx.method());
        if (read && rule.role() == null) {
            return;   // open to all: health, static files, the sign-in page
        }
        if (!read) {
            refuseOtherOrigins(ctx, host);
        }
        RealmAuth auth = realms.get(rule.realm());
        Principal who = read ? reader(ctx, auth, rule) : auth.authenticator().authenticate(ctx).orElse(null);
        if (who == null) {
            boolean gave = bearer(ctx.header("Authorization")) != null;
            throw new UnauthorizedResponse((gave ? "the token is not valid here" : "this request needs a token")
                    + ": " + auth.whereTheTokenIs());
        }
        if (rule.role() != null) {
            Role have = rule.repoScoped() ? who.highest() : who.role();
            if (!have.atLeast(rule.role())) {
                throw new ForbiddenResponse(refusal(who, have, rule.role(), null));
            }
        }
        if (!read) {
            checkBody(ctx, rule);
        }
        ctx.attribute(PRINCIPAL, who);
    }

    /** A read: a bearer token, else a signed-in browser's cookie, else anyone when reads are public. */
    private Principal reader(Context ctx, RealmAuth auth, Access rule) {
        Principal who = auth.authenticator().authenticate(ctx).orElse(null);
        if (who == null && bearer(ctx.header("Authorization")) == null) {
            who = sessionCookie.authenticate(ctx).orElse(null);
            if (who == null && publicRead && rule.role() == Role.VIEWER && !rule.repoScoped()) {
                who = Principal.ANONYMOUS;
            }
        }
        return who;
    }

    /**
     * For a repo-scoped route: the caller of {@code ctx} holds {@code needed} on {@code repo}
     * (null: a build of no repo), else 403. The guard has let in anyone with that role somewhere.
     */
    public static Principal require(Context ctx, Role needed, String repo) {
        Principal who = ctx.attribute(PRINCIPAL);
        if (who == null) {
            throw new UnauthorizedResponse("this request needs a token");
        }
        Role have = who.roleOn(repo);
        if (!have.atLeast(needed)) {
            throw new ForbiddenResponse(refusal(who, have, needed, repo));
        }
        return who;
    }

    /** The principal the guard accepted for {@code ctx}. */
    public static Principal principal(Context ctx) {
        return ctx.attribute(PRINCIPAL);
    }

    private static String refusal(Principal who, Role have, Role needed, String repo) {
        return "this needs the " + needed.label() + " role" + (repo == null ? "" : " on repo " + repo) + "; "
                + who.name() + " has " + have.label() + (who.tokenId().equals("anonymous") ? " (not signed in)" : "");
    }

    /** A browser names the page that made a request; only the server's own pages may change anything. */
    private void refuseOtherOrigins(Context ctx, String host) {
        if ("cross-site".equals(ctx.header("Sec-Fetch-Site"))) {
            throw new ForbiddenResponse("cross-site requests may not change anything");
        }
        String origin = ctx.header("Origin");
        String from = origin != null ? origin : ctx.header("Referer");
        if (from == null) {
            return;   // not a browser (the CLI, an agent, curl): nothing to check
        }
        if (!sameOrigin(from, host)) {
            throw new ForbiddenResponse("requests from " + (origin != null ? "origin " : "page ") + from
                    + " may not change anything on this server");
        }
    }

    private static boolean sameOrigin(String url, String host) {
        try {
            URI u = URI.create(url.strip());
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            return (scheme.equals("http") || scheme.equals("https")) && u.getRawAuthority() != null && host != null
                    && u.getRawAuthority().equalsIgnoreCase(host.strip());
        } catch (IllegalArgumentException e) {
            return false;   // "null" and other opaque origins
        }
    }

    private static void checkBody(Context ctx, Access rule) {
        if (rule.bodyTypes().isEmpty()) {
            return;   // the agent realm: its token cannot be sent cross-site, so any body is the agent's
        }
        String type = ctx.header("Content-Type");
        boolean hasBody = ctx.contentLength() > 0 || ctx.header("Transfer-Encoding") != null;
        if (type == null && !hasBody) {
            return;
        }
        String media = type == null ? "" : type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (!rule.bodyTypes().contains(media)) {
            throw new HttpResponseException(415, (type == null ? "a body needs a Content-Type" : "Content-Type '" + media
                    + "' is not accepted here") + "; send " + String.join(" or ", rule.bodyTypes().stream().sorted().toList()));
        }
    }

    private static String bearer(String header) {
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String t = header.substring(7).strip();
        return t.isEmpty() ? null : t;
    }

    private static boolean isSafe(HandlerType method) {
        return method == HandlerType.GET || method == HandlerType.HEAD || method == HandlerType.OPTIONS;
    }
}
