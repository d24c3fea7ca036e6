package dev.kiln.server.web;

import dev.kiln.server.access.AccessGuard;
import dev.kiln.server.access.BrowserSessions;
import dev.kiln.server.access.Principal;
import dev.kiln.server.access.Role;
import dev.kiln.webui.Templates;
import dev.kiln.webui.view.Buttons;
import dev.kiln.webui.view.Viewer;
import io.javalin.http.Context;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Who is looking at a page, as the guard accepted them: the header's "signed in as" and sign-out
 * button, and which of a page's buttons to show. Forms need a session (their CSRF token); a page
 * read with an API token or anonymously ({@code --public-read}) shows none.
 */
final class Viewers {
    /** Where the layout leaves room for the header's part about who is signed in. */
    static final String MARKER = "<kiln-who></kiln-who>";

    private Viewers() {}

    /** What {@code ctx}'s viewer may press on a page about {@code repo} (null: a build of no repo). */
    static Buttons buttons(Context ctx, String repo) {
        Principal who = AccessGuard.principal(ctx);
        String csrf = ctx.attribute(BrowserSessions.CSRF);
        if (who == null || csrf == null) {
            return Buttons.NONE;
        }
        return new Buttons(csrf, true, who.can(Role.DEVELOPER, repo), who.can(Role.APPROVER, repo));
    }

    /** {@code page} with the header saying who is signed in (escaped by its template). */
    static String withHeader(Context ctx, String page) {
        int at = page.indexOf(MARKER);
        if (at < 0) {
            return page;
        }
        Principal who = AccessGuard.principal(ctx);
        String csrf = ctx.attribute(BrowserSessions.CSRF);
        boolean named = who != null && !who.tokenId().equals(Principal.ANONYMOUS.tokenId());
        Viewer v = new Viewer(named ? who.name() : "", named ? who.role().label() : "", csrf == null ? "" : csrf,
                signInHref(ctx));
        return page.substring(0, at) + Templates.render("who.jte", v) + page.substring(at + MARKER.length());
    }

    /** The sign-in page, coming back to the page of {@code ctx} (a GET) after. */
    static String signInHref(Context ctx) {
        if (ctx.path().equals("/login")) {
            return "/login";
        }
        String q = ctx.queryString();
        String here = ctx.path() + (q == null || q.isEmpty() ? "" : "?" + q);
        return "/login?next=" + URLEncoder.encode(here, StandardCharsets.UTF_8);
    }
}
