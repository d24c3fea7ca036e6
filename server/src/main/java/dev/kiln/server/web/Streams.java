package dev.kiln.server.web;

import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;

/** What the dashboard's server-sent event routes share. */
final class Streams {
    private Streams() {}

    /** Checked before the stream starts, so that a refusal is a real status (SseHandler commits 200 first). */
    static void requireEventStream(Context ctx) {
        String accept = ctx.header("Accept");
        if (accept == null || !accept.contains("text/event-stream")) {
            throw new HttpResponseException(406, "this is a server-sent event stream; send Accept: text/event-stream");
        }
    }

    /** A feed runs on its own daemon thread: it sleeps between polls and ends with its client. */
    static void start(String name, Runnable feed) {
        Thread t = new Thread(feed, name);
        t.setDaemon(true);
        t.start();
    }
}
