package dev.kiln.server.web;

import dev.kiln.webui.Templates;
import dev.kiln.webui.view.ErrorPage;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpStatus;

/** A refusal as a page for a browser that asked for one: a status and the sentence, no stack trace. */
public final class ErrorPages {
    private ErrorPages() {}

    /** A page navigation (not the API, not a feed or a script's fetch). */
    public static boolean wantsPage(Context ctx) {
        String accept = ctx.header("Accept");
        return !ctx.path().startsWith("/api/") && accept != null && accept.contains("text/html");
    }

    /** A page that needs a signed-in browser leads to the sign-in form, which comes back to it. */
    public static void render(Context ctx, int status, String message) {
        if (status == 401 && (ctx.method() == HandlerType.GET || ctx.method() == HandlerType.HEAD)) {
            ctx.redirect(Viewers.signInHref(ctx), HttpStatus.SEE_OTHER);
            return;
        }
        ctx.status(status).contentType("text/html; charset=utf-8")
                .result(Viewers.withHeader(ctx, Templates.render("error.jte", new ErrorPage(status, message))));
    }
}
