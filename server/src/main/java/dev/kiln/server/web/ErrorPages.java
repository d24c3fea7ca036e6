package dev.kiln.server.web;

import dev.kiln.webui.Templates;
import dev.kiln.webui.view.ErrorPage;
import io.javalin.http.Context;

/** A refusal as a page for a browser that asked for one: a status and the sentence, no stack trace. */
public final class ErrorPages {
    private ErrorPages() {}

    /** A page navigation (not the API, not a feed or a script's fetch). */
    public static boolean wantsPage(Context ctx) {
        String accept = ctx.header("Accept");
        return !ctx.path().startsWith("/api/") && accept != null && accept.contains("text/html");
    }

    public static void render(Context ctx, int status, String message) {
        ctx.status(status).contentType("text/html; charset=utf-8")
                .result(Templates.render("error.jte", new ErrorPage(status, message)));
    }
}
