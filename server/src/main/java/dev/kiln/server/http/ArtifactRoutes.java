package dev.kiln.server.http;

import dev.kiln.server.access.Access;
import dev.kiln.server.artifacts.BuildArtifacts;
import dev.kiln.server.store.BuildStore;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.NotFoundResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * A build's artifacts: the list ({@code GET /api/builds/{id}/artifacts}) and each file's bytes
 * ({@code GET /api/builds/{id}/artifacts/{path...}}). A path is looked up as a key among the build's
 * artifacts and the bytes are found by the digest stored with it, so no path, however it climbs,
 * reaches any other file. Downloads are attachments the browser never renders.
 */
final class ArtifactRoutes {
    private final BuildStore store;
    private final BuildArtifacts artifacts;

    ArtifactRoutes(BuildStore store, BuildArtifacts artifacts) {
        this.store = store;
        this.artifacts = artifacts;
    }

    void register(JavalinConfig config) {
        config.routes.get("/api/builds/{id}/artifacts", ctx -> {
            String id = build(ctx);
            ctx.json(artifacts.views(id, Views.stepIds(store.steps(id))));
        }, Access.read());
        config.routes.get("/api/builds/{id}/artifacts/<path>", this::download, Access.read());
    }

    private void download(Context ctx) throws Exception {
        String id = build(ctx);
        String path = ctx.pathParam("path");
        BuildArtifacts.Stored a = artifacts.find(id, path).orElseThrow(() -> new NotFoundResponse(
                "build " + id + " has no artifact " + shown(path) + "; kiln builds artifacts " + id + " lists them"));
        String name = path.substring(path.lastIndexOf('/') + 1);
        ctx.header("Content-Disposition", "attachment; filename=\"" + ascii(name) + "\"; filename*=UTF-8''"
                + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20"));
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Content-Security-Policy", "default-src 'none'; sandbox");
        ctx.header("ETag", "\"" + a.sha256() + "\"");
        ctx.header("X-Kiln-Sha256", a.sha256());
        ctx.header("Content-Length", String.valueOf(a.size()));
        ctx.contentType("application/octet-stream");
        ctx.result(artifacts.open(a));
    }

    private String build(Context ctx) {
        String id = ctx.pathParam("id");
        if (store.get(id).isEmpty()) {
            throw new NotFoundResponse("no build " + id);
        }
        return id;
    }

    /** The name for old browsers' {@code filename=}: printable ASCII without quotes or backslashes. */
    private static String ascii(String name) {
        StringBuilder out = new StringBuilder();
        name.chars().forEach(c -> out.append(c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? (char) c : '_'));
        return out.toString();
    }

    private static String shown(String path) {
        String p = path.length() <= 200 ? path : path.substring(0, 200) + "...";
        return ascii(p);
    }
}
