package dev.kiln.server.web;

import dev.kiln.server.access.Access;
import dev.kiln.server.store.Build;
import dev.kiln.server.store.BuildStore;
import dev.kiln.webui.term.TerminalCss;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.NotFoundResponse;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** The dashboard's assets, the status badge and the Prometheus metrics. */
final class StatusRoutes {
    private static final Pattern ASSET = Pattern.compile("[a-z0-9-]+\\.(css|js|svg)");
    private static final Map<String, String> TYPES = Map.of("css", "text/css; charset=utf-8",
            "js", "text/javascript; charset=utf-8", "svg", "image/svg+xml");
    private static final byte[] TERM_CSS = TerminalCss.stylesheet().getBytes(java.nio.charset.StandardCharsets.UTF_8);

    private final BuildStore store;
    private final Metrics metrics;

    StatusRoutes(BuildStore store, Metrics metrics) {
        this.store = store;
        this.metrics = metrics;
    }

    void register(JavalinConfig config) {
        config.routes.get("/static/{name}", this::asset, Access.open());
        config.routes.get("/badge/{name}", this::badge, Access.read());
        config.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                .result(metrics.scrape()), Access.read());
    }

    private void asset(Context ctx) throws IOException {
        String file = ctx.pathParam("name");
        if (!ASSET.matcher(file).matches()) {
            throw new NotFoundResponse("no asset " + file);
        }
        String type = TYPES.get(file.substring(file.lastIndexOf('.') + 1));
        if (file.equals("term.css")) {
            ctx.contentType(type).result(TERM_CSS);
            return;
        }
        try (InputStream in = StatusRoutes.class.getResourceAsStream("/kiln/static/" + file)) {
            if (in == null) {
                throw new NotFoundResponse("no asset " + file);
            }
            ctx.header("Cache-Control", "no-cache").contentType(type).result(in.readAllBytes());
        }
    }

    /** {@code /badge/REPO.svg?branch=B}: the status of the repo's newest build (on that branch). */
    private void badge(Context ctx) {
        String file = ctx.pathParam("name");
        if (!file.endsWith(".svg") || file.length() == 4) {
            throw new NotFoundResponse("a badge is /badge/REPO.svg");
        }
        String repo = file.substring(0, file.length() - 4);
        String branch = ctx.queryParam("branch");
        List<Build> newest = store.list(1, null, new BuildStore.Filter(repo,
                branch == null || branch.isBlank() ? null : "refs/heads/" + branch.strip(), null, null));
        String status = newest.isEmpty() ? "" : newest.get(0).status().name();
        ctx.header("Cache-Control", "no-cache, no-store, max-age=0");
        ctx.contentType("image/svg+xml; charset=utf-8").result(Badge.svg("build", status));
    }
}
