package dev.kiln.server.access;

import io.javalin.security.RouteRole;
import java.util.Set;

/**
 * The access rule every route declares when it is registered (as its Javalin route role):
 * which credentials it takes and, for a write, which request bodies. {@link AccessGuard} enforces
 * it before the handler runs; a route without one is refused, so a route added later cannot
 * forget its check.
 *
 * @param realm     whose credentials the route takes
 * @param changesState whether it changes state (then it needs a token whatever its HTTP method)
 * @param bodyTypes media types a write accepts (a write with no body needs none); empty for the agent
 *                  realm, whose token no browser can send cross-site, so any body it sends is its own
 */
public record Access(Realm realm, boolean changesState, Set<String> bodyTypes) implements RouteRole {

    /** Who may call a route, and with what. */
    public enum Realm {
        /** People and the CLI: API tokens for writes; reads open to the configured hosts. */
        USER,
        /** Agents: the agent token on every call, and nothing else. */
        AGENT,
        /**
         * The dashboard's forms: a signed-in browser's session cookie plus the form's CSRF token,
         * from the server's own pages only. No bearer token is taken here.
         */
        BROWSER,
        /** The sign-in form: the token is the form's {@code token} field, from the server's own page. */
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

    /** A read of the user API: no token for now, but only for the server's own host names. */
    public static Access read() {
        return new Access(Realm.USER, false, Set.of());
    }

    /** A write of the user API taking {@code bodyTypes} (JSON when none are named). */
    public static Access write(String... bodyTypes) {
        return new Access(Realm.USER, true, bodyTypes.length == 0 ? Set.of(JSON) : Set.of(bodyTypes));
    }

    /** A form of the dashboard that changes something (cancel, retry, sign out). */
    public static Access form() {
        return new Access(Realm.BROWSER, true, Set.of(FORM));
    }

    /** The sign-in form. */
    public static Access login() {
        return new Access(Realm.LOGIN, true, Set.of(FORM));
    }

    /** A webhook delivery, authenticated by its signature (any body type: GitHub may send a form). */
    public static Access hook() {
        return new Access(Realm.HOOK, true, Set.of());
    }

    /** A call of the agent protocol. */
    public static Access agent() {
        return new Access(Realm.AGENT, true, Set.of());
    }
}
