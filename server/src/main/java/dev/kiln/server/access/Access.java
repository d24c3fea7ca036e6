package dev.kiln.server.access;

import io.javalin.security.RouteRole;
import java.util.Set;

/**
 * The access rule every route declares when it is registered (as its Javalin route role):
 * which credentials it takes, the least {@link Role} it needs and, for a write, which request
 * bodies. {@link AccessGuard} enforces it before the handler runs; a route without one is
 * refused, so a route added later cannot forget its check.
 *
 * @param realm        whose credentials the route takes
 * @param changesState whether it changes state (then it needs a token whatever its HTTP method)
 * @param bodyTypes    media types a write accepts (a write with no body needs none); empty for the
 *                     agent realm, whose token no browser can send cross-site
 * @param role         the least role the caller needs; null for a route open to anyone who
 *                     reaches the server (health, static files, the sign-in page) and for the
 *                     realms that are not people (agents, webhooks)
 * @param repoScoped   the role may be held on the repo the route acts on only: the guard lets in
 *                     a caller with that role anywhere, and the handler checks the repo itself
 *                     ({@link AccessGuard#require})
 */
public record Access(Realm realm, boolean changesState, Set<String> bodyTypes, Role role, boolean repoScoped)
        implements RouteRole {

    /** Who may call a route, and with what. */
    public enum Realm {
        /** People and the CLI: an API token, or for reads a signed-in browser's session cookie. */
        USER,
        /** Agents: the agent's own credential on every call, and nothing else. */
        AGENT,
        /**
         * The dashboard's forms: a signed-in browser's session cookie plus the form's CSRF token,
         * from the server's own pages only. No bearer token is taken here.
         */
        BROWSER,
        /** The sign-in form: user name and password, from the server's own page. */
        LOGIN,
        /**
         * Forges' webhooks: no token; the route itself checks the signature over the raw body with
         * the repo's webhook secret, before anything is parsed (the guard cannot read the body
         * without taking it from the handler).
         */
        HOOK
    }

    /** A form post's media type, the only body the browser realms take. */
    public static final String FORM = "application/x-www-form-urlencoded";

    public static final String JSON = "application/json";

    /** Open to anyone who reaches one of the server's host names: health, static files, the sign-in page. */
    public static Access open() {
        return new Access(Realm.USER, false, Set.of(), null, false);
    }

    /** A read of builds, logs, repos: viewers (and anyone, with {@code --public-read}). */
    public static Access read() {
        return read(Role.VIEWER);
    }

    /** A read that needs more than a viewer (users, the audit log). */
    public static Access read(Role role) {
        return new Access(Realm.USER, false, Set.of(), role, false);
    }

    /** A write of the user API that needs {@code role} everywhere, taking {@code bodyTypes} (JSON when none). */
    public static Access write(Role role, String... bodyTypes) {
        return new Access(Realm.USER, true, types(bodyTypes), role, false);
    }

    /** A write on one repo's behalf: {@code role} on that repo will do (the handler checks which). */
    public static Access repoWrite(Role role, String... bodyTypes) {
        return new Access(Realm.USER, true, types(bodyTypes), role, true);
    }

    /** A form of the dashboard that changes something (cancel, retry, sign out). */
    public static Access form(Role role) {
        return new Access(Realm.BROWSER, true, Set.of(FORM), role, false);
    }

    /** A form that acts on one repo's behalf (approve a build of it, run its trigger). */
    public static Access repoForm(Role role) {
        return new Access(Realm.BROWSER, true, Set.of(FORM), role, true);
    }

    /** The sign-in form. */
    public static Access login() {
        return new Access(Realm.LOGIN, true, Set.of(FORM), null, false);
    }

    /** A webhook delivery, authenticated by its signature (any body type: GitHub may send a form). */
    public static Access hook() {
        return new Access(Realm.HOOK, true, Set.of(), null, false);
    }

    /** A call of the agent protocol. */
    public static Access agent() {
        return new Access(Realm.AGENT, true, Set.of(), null, false);
    }

    private static Set<String> types(String... bodyTypes) {
        return bodyTypes.length == 0 ? Set.of(JSON) : Set.of(bodyTypes);
    }
}
