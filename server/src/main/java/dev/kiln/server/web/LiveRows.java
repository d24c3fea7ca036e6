package dev.kiln.server.web;

import dev.kiln.server.events.BuildEvents;
import dev.kiln.server.events.BuildEvents.Part;
import dev.kiln.server.store.Build;
import dev.kiln.server.store.BuildStore;
import dev.kiln.spec.json.Json;
import dev.kiln.spec.protocol.Status;
import dev.kiln.webui.Templates;
import io.javalin.http.sse.SseClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one open builds list current: when a build's own row changes anywhere (created, started,
 * ended), reads the same page of the list again (same filter, same keyset cursor) and sends the
 * rows whose HTML changed, and on the newest page the builds that are new. Changes within
 * {@link #GATHER_MS} make one read, so a busy server costs each open list at most a few indexed
 * queries of a page a second. While the page shows a running build its duration ticks: the page
 * is read again every {@link #TICK_MS} ms; otherwise a keep-alive comment goes every 15 s.
 */
final class LiveRows implements Runnable, BuildEvents.Follower {
    private static final Logger log = LoggerFactory.getLogger(LiveRows.class);
    static final long GATHER_MS = 100;
    static final long TICK_MS = 1_000;
    private static final long KEEPALIVE_MS = 15_000;

    /** Test seam: runs after each round has read and sent, just before the feed waits for the next change. */
    static volatile Consumer<LiveRows> beforeWait = f -> { };

    private final SseClient client;
    private final BuildStore store;
    private final PageViews views;
    private final BuildEvents events;
    private final int limit;
    private final Long before;
    /** The newest build the page itself showed (-1: unknown, take the first read as the baseline). */
    private final long after;
    private final BuildStore.Filter filter;
    private final Signal signal = new Signal();

    LiveRows(SseClient client, BuildStore store, PageViews views, BuildEvents events, int limit, Long before, long after,
             BuildStore.Filter filter) {
        this.client = client;
        this.store = store;
        this.views = views;
        this.events = events;
        this.limit = limit;
        this.before = before;
        this.after = after;
        this.filter = filter;
    }

    @Override
    public void changed(String buildId) {
        signal.set();
    }

    @Override
    public void changed(String buildId, Part part, int step) {
        // A row shows only the build's own fields: steps and logs do not change it.
        if (part == Part.BUILD) {
            signal.set();
        }
    }

    /** Whether a change waits for the next round: for tests. */
    boolean woken() {
        return signal.isSet();
    }

    @Override
    public void run() {
        // Followed before the first read: whatever changes after it wakes the next round.
        events.followAll(this);
        client.onClose(() -> {
            events.unfollow(this);
            signal.close();
        });
        Map<String, String> shown = new HashMap<>();
        long newestSeq = after;
        try {
            while (!client.terminated()) {
                List<Build> page = store.list(limit, before, filter);
                List<String> changed = new ArrayList<>();
                List<String> added = new ArrayList<>();
                boolean running = false;
                for (Build b : page) {
                    running |= b.status() == Status.WORKING;
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
                }
                beforeWait.accept(this);
                // Taken (and cleared) before the next round reads: a change from here on wakes the round after.
                boolean woken = signal.take(running ? TICK_MS : KEEPALIVE_MS, GATHER_MS);
                if (!woken && !running && !client.terminated()) {
                    client.sendComment("keepalive");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("live builds list stopped: {}", e.toString());
        } finally {
            events.unfollow(this);
            client.close();
        }
    }
}
