package dev.kiln.server.web;

import dev.kiln.server.store.Build;
import dev.kiln.server.store.BuildStore;
import dev.kiln.spec.json.Json;
import dev.kiln.webui.Templates;
import io.javalin.http.sse.SseClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one open builds list current: polls the same page of the list (same filter, same keyset
 * cursor) and sends the rows whose HTML changed, and on the newest page the builds that are new.
 * One indexed query of at most a page of rows every {@link #POLL_MS} ms per open list.
 */
final class LiveRows implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(LiveRows.class);
    static final long POLL_MS = 300;

    private final SseClient client;
    private final BuildStore store;
    private final PageViews views;
    private final int limit;
    private final Long before;
    /** The newest build the page itself showed (-1: unknown, take the first poll as the baseline). */
    private final long after;
    private final BuildStore.Filter filter;

    LiveRows(SseClient client, BuildStore store, PageViews views, int limit, Long before, long after,
             BuildStore.Filter filter) {
        this.client = client;
        this.store = store;
        this.views = views;
        this.limit = limit;
        this.before = before;
        this.after = after;
        this.filter = filter;
    }

    @Override
    public void run() {
        Map<String, String> shown = new HashMap<>();
        long newestSeq = after;
        long lastWrite = System.currentTimeMillis();
        try {
            while (!client.terminated()) {
                List<Build> page = store.list(limit, before, filter);
                List<String> changed = new ArrayList<>();
                List<String> added = new ArrayList<>();
                for (Build b : page) {
                    String html = Templates.render("row.jte", views.row(b));
                    String old = shown.put(b.id(), html);
                    if (newestSeq >= 0 && b.seq() > newestSeq && before == null) {
                        added.add(html);
                    } else if (!html.equals(old)) {
                        changed.add(html);
                    }
                }
                newestSeq = Math.max(newestSeq, page.stream().mapToLong(Build::seq).max().orElse(0));
                if (!changed.isEmpty() || !added.isEmpty()) {
                    client.sendEvent("rows", Json.MAPPER.writeValueAsString(Map.of("changed", changed, "added", added)));
                    lastWrite = System.currentTimeMillis();
                } else if (System.currentTimeMillis() - lastWrite > 15_000) {
                    client.sendComment("keepalive");
                    lastWrite = System.currentTimeMillis();
                }
                TimeUnit.MILLISECONDS.sleep(POLL_MS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("live builds list stopped: {}", e.toString());
        } finally {
            client.close();
        }
    }
}
