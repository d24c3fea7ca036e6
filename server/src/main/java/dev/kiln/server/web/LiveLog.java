package dev.kiln.server.web;

import dev.kiln.server.events.BuildEvents;
import dev.kiln.server.events.BuildEvents.Part;
import dev.kiln.server.logs.LogStore;
import dev.kiln.server.logs.LogTimes;
import dev.kiln.server.metrics.ServerMetrics;
import dev.kiln.server.store.BuildStore;
import dev.kiln.spec.json.Json;
import dev.kiln.webui.live.LogFeed;
import io.javalin.http.sse.SseClient;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams one step's log to a browser as rendered rows, over server-sent events.
 *
 * <p>Each {@code lines} event holds the rows that became final, the rows still open to change
 * (they replace the previous event's), and its id is the byte offset read up to. A reconnect
 * sends that id as {@code Last-Event-ID}: the log is rendered again silently up to exactly that
 * offset, which puts the renderer where it was (its output does not depend on how the bytes were
 * chunked), and the stream goes on from there, so nothing is lost or doubled. A first connection
 * renders the whole log but sends only its last {@code tail} rows, with the count skipped; so does
 * any later event whose burst of new rows is longer than that (the page then starts its view again
 * from the newest rows).
 * The feed follows the build's {@link BuildEvents}: a change to the step's log or row, or to the
 * build, wakes it, and what comes within {@link #GATHER_MS} of that goes out in one event; partial
 * lines too (as pending rows). Otherwise it only sends a keep-alive comment every 15 s (a gone
 * client is noticed only on a write). When the step has ended, an {@code end} event carries the
 * last rows and closes the stream.
 */
final class LiveLog implements Runnable, BuildEvents.Follower {
    private static final Logger log = LoggerFactory.getLogger(LiveLog.class);
    /** How long a woken feed gathers more output before it sends: well within the page's 200 ms. */
    static final long GATHER_MS = 50;
    private static final long KEEPALIVE_MS = 15_000;

    /** Test seam: runs after each round has read and sent, just before the feed waits for the next change. */
    static volatile Consumer<LiveLog> beforeWait = f -> { };

    private final SseClient client;
    private final String buildId;
    private final int step;
    private final long resumeAt;
    private final int tail;
    private final BuildStore store;
    private final LogStore logs;
    private final LogFeed feed;
    private final BuildEvents events;
    private final ServerMetrics metrics;
    private final Signal signal = new Signal();
    /** Set by a change to the step's row or the build's: whether the step ended must be read again. */
    private volatile boolean rowChanged = true;
    private boolean ended;
    private long offset;
    private LogTimes times;
    /** Whether rows became final since the last event. */
    private boolean hasFinal;

    /** {@code resumeAt}: the offset a reconnecting browser has, or -1 for a first connection. */
    LiveLog(SseClient client, String buildId, int step, long resumeAt, int tail, BuildStore store, LogStore logs,
            BuildEvents events, ServerMetrics metrics) {
        this.events = events;
        this.metrics = metrics;
        this.client = client;
        this.buildId = buildId;
        this.step = step;
        this.resumeAt = resumeAt;
        this.tail = tail;
        this.store = store;
        this.logs = logs;
        this.feed = new LogFeed(step);
    }

    @Override
    public void changed(String id) {
        changed(id, Part.BUILD, -1);
    }

    @Override
    public void changed(String id, Part part, int changedStep) {
        if (part == Part.BUILD || changedStep == step) {
            if (part != Part.LOG) {
                rowChanged = true;
            }
            signal.set();
        }
    }

    /** Whether a change waits for the next round: for tests. */
    boolean woken() {
        return signal.isSet();
    }

    String buildId() {
        return buildId;
    }

    @Override
    public void run() {
        // Followed before the first read: whatever changes after it wakes the next round.
        events.follow(buildId, this);
        client.onClose(() -> {
            events.unfollow(buildId, this);
            signal.close();
        });
        try {
            if (resumeAt >= 0) {
                readTo(Math.min(resumeAt, logs.size(buildId, step)));
                feed.discardFinal();
            } else {
                feed.keepOnly(tail);
                readTo(logs.size(buildId, step));
                feed.keepOnly(Integer.MAX_VALUE);
            }
            List<String> sentPending = send("lines", feed.takeSkipped());
            while (!client.terminated()) {
                boolean ended = ended();   // before the size: every byte written before the end is then read
                long size = logs.size(buildId, step);
                if (size > offset) {
                    // A burst (a step printing hundreds of MB) sends only its newest rows and counts the
                    // rest as skipped: a page is never handed more rows at once than a first view holds.
                    long from = offset;
                    feed.keepOnly(tail);
                    readTo(size);
                    feed.keepOnly(Integer.MAX_VALUE);
                    metrics.streamed(offset - from);
                }
                if (ended && offset >= logs.size(buildId, step)) {
                    // The last rows and the end in one event: were they two, a reconnect between them would
                    // render the last rows again as final, and the page would show them twice.
                    feed.keepOnly(tail);
                    feed.finish();
                    send("end", feed.takeSkipped());
                    break;
                }
                List<String> pending = feed.pending();
                long skipped = feed.takeSkipped();
                if (hasFinal() || skipped > 0 || !pending.equals(sentPending)) {
                    sentPending = send("lines", skipped);
                }
                beforeWait.accept(this);
                // Taken (and cleared) before the next round reads: a change from here on wakes the round after.
                if (!signal.take(KEEPALIVE_MS, GATHER_MS) && !client.terminated()) {
                    client.sendComment("keepalive");   // a gone client is noticed only on a write
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            log.warn("live log of build {} step {} stopped: {}", buildId, step, e.toString());
        } finally {
            events.unfollow(buildId, this);
            client.close();
        }
    }

    private boolean hasFinal() {
        boolean h = hasFinal;
        hasFinal = false;
        return h;
    }

    private void readTo(long target) throws IOException {
        if (times == null) {
            times = logs.times(buildId, step);
        } else {
            times.refresh();
        }
        logs.scan(buildId, step, times, offset, target, (b, off, len, at, time) -> {
            long before = feed.finalCount();
            feed.write(b, off, len, time);
            hasFinal |= feed.finalCount() > before;
            offset = at + len;
            return true;
        });
    }

    private List<String> send(String event, long skipped) throws IOException {
        List<String> pending = feed.pending();
        hasFinal = false;
        String data = Json.MAPPER.writeValueAsString(Map.of("f", feed.takeFinal(), "p", pending, "skipped", skipped));
        client.sendEvent(event, data, String.valueOf(offset));
        return pending;
    }

    /** Read again only after a change to the row (an ended step stays ended): log growth alone reads nothing. */
    private boolean ended() {
        if (!ended && rowChanged) {
            rowChanged = false;
            // A build's end makes each of its steps final too (running ones end, queued ones are skipped).
            ended = store.stepRun(buildId, step).map(s -> s.status().isFinal()).orElse(true);
        }
        return ended;
    }
}
