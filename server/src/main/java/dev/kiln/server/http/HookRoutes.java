package dev.kiln.server.http;

import dev.kiln.server.access.Access;
import dev.kiln.server.hooks.Webhooks;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/** {@code POST /hooks/NAME}: reads the body, at most {@link Webhooks#MAX_BODY} bytes of it, and hands it on. */
public final class HookRoutes {
    /** Where a repo's webhooks are sent: this, then the repo's name. */
    public static final String PATH = "/hooks/";

    private final Webhooks webhooks;

    public HookRoutes(Webhooks webhooks) {
        this.webhooks = webhooks;
    }

    void register(JavalinConfig config) {
        config.routes.post(PATH + "{name}", ctx -> {
            Webhooks.Result r = webhooks.receive(ctx.pathParam("name"), ctx::header, body(ctx));
            ctx.status(r.status()).json(Map.of("message", r.message(), "builds", r.builds()));
        }, Access.hook());
    }

    /** The raw body, refused (413) past the limit without reading more than one byte beyond it. */
    private static byte[] body(Context ctx) throws IOException {
        String tooLarge = "a webhook body may be at most " + Webhooks.MAX_BODY + " bytes";
        if (ctx.contentLength() > Webhooks.MAX_BODY) {
            throw new Webhooks.Rejected(413, tooLarge);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[16384];
        InputStream in = ctx.req().getInputStream();
        for (int n; (n = in.read(buf)) > 0; ) {
            out.write(buf, 0, n);
            if (out.size() > Webhooks.MAX_BODY) {
                throw new Webhooks.Rejected(413, tooLarge);
            }
        }
        return out.toByteArray();
    }
}
