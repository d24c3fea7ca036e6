package dev.kiln.server.web;

import dev.kiln.server.access.Access;
import dev.kiln.server.access.BrowserSessions;
import dev.kiln.server.events.BuildEvents;
import dev.kiln.server.http.Params;
import dev.kiln.server.logs.LogStore;
import dev.kiln.server.store.Build;
import dev.kiln.server.store.BuildStore;
import dev.kiln.spec.json.Json;
import dev.kiln.webui.live.AnsiStrip;
import io.javalin.config.JavalinConfig;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import io.javalin.http.NotFoundResponse;
import io.javalin.http.sse.SseHandler;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A step's log for the page: the live feed of rendered rows, earlier rows on demand, and the log
 * as plain text without its ANSI escapes. The raw log stays the API's
 * ({@code /api/builds/{id}/steps/{step}/log}).
 */
public final class StreamRoutes {
    /** Rows a first view of a log gets; the rest are one "load earlier" away. */
    static final int TAIL = 2000;
    private static final int MAX_ROWS = 5000;
    static final int MAX_QUERY = 200;
    static final int DEFAULT_HITS = 1000;
    static final int MAX_HITS = 10_000;
    /** A search gives up (saying how far it got) after this long: a 200 MB log takes about a second. */
    static final long SEARCH_MILLIS = 10_000;

    private final BuildStore store;
    private final LogStore logs;
    private final Metrics metrics;
    private final BuildEvents events;

    private final BrowserSessions sessions;

    StreamRoutes(BuildStore store, LogStore logs, Metrics metrics, BuildEvents events, BrowserSessions sessions) {
        this.sessions = sessions;
        this.events = events;
        this.store = store;
        this.logs = logs;
        this.metrics = metrics;
    }

    void register(JavalinConfig config) {
        config.routes.get("/builds/{id}/steps/{step}/live", this::live, Access.read());
        config.routes.get("/builds/{id}/steps/{step}/lines", this::lines, Access.read());
        config.routes.get("/builds/{id}/steps/{step}/plain", this::plain, Access.read());
        config.routes.get("/builds/{id}/steps/{step}/search", this::search, Access.read());
    }

    private void live(Context ctx) {
        Build b = find(ctx);
        int step = step(ctx, b);
        Streams.requireEventStream(ctx);
        long resume = resumeAt(ctx.header("Last-Event-ID"));
        new SseHandler(client -> {
            client.keepAlive();
            metrics.liveViews.incrementAndGet();
            client.onClose(metrics.liveViews::decrementAndGet);
            sessions.endWithSession(ctx, client);
            Streams.start("kiln-live-" + b.id() + "-" + step, new LiveLog(client, b.id(), step, resume, TAIL, store, logs,
                    events, metrics.server()));
        }).handle(ctx);
    }

    /** Rows {@code from} to {@code to} (1-based, inclusive) of the log as it stands. */
    private void lines(Context ctx) throws IOException {
        Build b = find(ctx);
        int step = step(ctx, b);
        long from = Params.query(ctx, "from", 1, Long.MAX_VALUE, 1);
        long to = Params.query(ctx, "to", 1, Long.MAX_VALUE, from + TAIL - 1);
        if (to < from || to - from >= MAX_ROWS) {
            throw new BadRequestResponse("to must be from or more, and at most " + MAX_ROWS + " rows after it");
        }
        List<String> rows = LogLookup.rows(logs, b.id(), step, from, to);
        ctx.contentType("application/json").result(Json.MAPPER.writeValueAsString(Map.of("rows", rows)));
    }

    /**
     * The lines of the whole log whose shown text contains {@code q} (plain text, any case), as
     * line numbers the page can jump to: at most {@code max} hits, within {@link #SEARCH_MILLIS}.
     */
    private void search(Context ctx) throws IOException {
        Build b = find(ctx);
        int step = step(ctx, b);
        String q = ctx.queryParam("q");
        String what = "the text to look for, 1 to " + MAX_QUERY + " characters";
        if (q == null || q.isEmpty()) {
            throw new BadRequestResponse("q is required: " + what);
        }
        if (q.length() > MAX_QUERY) {
            throw new BadRequestResponse("q must be " + what + " (got " + q.length() + ")");
        }
        int max = (int) Params.query(ctx, "max", 1, MAX_HITS, DEFAULT_HITS);
        LogLookup.Found f = LogLookup.search(logs, b.id(), step, q, max,
                System.nanoTime() + SEARCH_MILLIS * 1_000_000);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("q", q);
        out.put("hits", f.hits());
        out.put("count", f.hits().size());
        out.put("capped", f.capped());
        out.put("complete", f.complete());
        out.put("scannedBytes", f.scannedBytes());
        out.put("lines", f.linesScanned());
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.contentType("application/json").result(htmlSafe(Json.MAPPER.writeValueAsString(out)));
    }

    private void plain(Context ctx) throws IOException {
        Build b = find(ctx);
        int step = step(ctx, b);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Content-Disposition", "inline; filename=\"" + b.id() + "-step" + step + ".txt\"");
        ctx.contentType("text/plain; charset=utf-8");
        ctx.result(new AnsiStrip(logs.open(b.id(), step, 0)));
    }

    private Build find(Context ctx) {
        String id = ctx.pathParam("id");
        return store.get(id).orElseThrow(() -> new NotFoundResponse("no build " + id));
    }

    private int step(Context ctx, Build b) {
        int step = Params.step(ctx);
        if (step < 0 || step >= store.steps(b.id()).size()) {
            throw new NotFoundResponse("build " + b.id() + " has no step " + step);
        }
        return step;
    }

    /**
     * JSON whose {@code < > &} are escaped as {@code \\u003c} and so on (they can only occur inside its
     * strings): the query echoed back stays inert even where a browser sniffs the body as HTML.
     */
    static String htmlSafe(String json) {
        return json.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026");
    }

    private static long resumeAt(String lastEventId) {
        if (lastEventId == null) {
            return -1;
        }
        try {
            return Math.max(0, Long.parseLong(lastEventId.strip()));
        } catch (NumberFormatException e) {
            return -1;   // not one of ours: start afresh
        }
    }
}
