package dev.kiln.server.http;

import dev.kiln.server.events.BuildEvents;
import dev.kiln.server.events.BuildEvents.Part;
import dev.kiln.server.logs.LogStore;
import dev.kiln.server.metrics.ServerMetrics;
import dev.kiln.server.store.Build;
import dev.kiln.server.store.BuildStore;
import dev.kiln.server.store.StepRun;
import dev.kiln.spec.api.BuildView;
import dev.kiln.spec.api.StepView;
import dev.kiln.spec.json.Json;
import io.javalin.http.sse.SseClient;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Streams one build to one SSE client, sending only what changed:
 * <ul>
 * <li>{@code log}: a step's new log bytes, {@code {step, offset, next, text}}; with {@code log=size},
 *     {@code {step, offset, next}} alone (the client fetches the raw bytes, as the CLI does). Its SSE
 *     {@code id} is the stream's position, every step's offset after this event in the form of the
 *     {@code offsets} parameter, so a reconnect sending it as {@code Last-Event-ID} resumes exactly there;
 * <li>{@code step}: a step as a {@link StepView}: every step on connecting, then each step whose row changed
 *     (started, ended); always after the log bytes its {@code logSize} counts, so a client that sees a step
 *     end has already had all of its log;
 * <li>{@code build}: the whole {@link BuildView}, after the steps on connecting, then whenever the
 *     build's own fields change;
 * <li>{@code end}: the final {@link BuildView}, once the build is over and every byte was sent.
 * </ul>
 * Each round reads only what {@link Pending} says changed (a log's new bytes, a step's row unless its
 * change came with how the row changed); only a change to the build's own row, which is rare and can
 * end steps or add notices, re-reads it all. Changes that come within {@link #GATHER_MS} of each
 * other make one round.
 */
final class BuildStream implements Runnable, BuildEvents.Follower {
    static final int CHUNK = 64 * 1024;
    private static final long KEEPALIVE_MS = 15_000;
    /**
     * How long a round waits, from the first change it will carry, for more: a fast build's step
     * changes then go out a few at a time. Well under what a person notices (the dashboard's budget is 200 ms).
     */
    static final long GATHER_MS = 10;

    /** How a stream sends log bytes: as text in the event, or only their extent. */
    enum LogMode { TEXT, SIZE }

    /**
     * Test seam: runs with the build id after each round has read and sent, just before the stream waits
     * for the next change, so a test can land a change exactly there.
     */
    static volatile Consumer<String> beforeWait = id -> { };

    private final SseClient client;
    private final String buildId;
    private final BuildStore store;
    private final LogStore logs;
    private final Views views;
    private final BuildEvents events;
    private final LogMode mode;
    private final ServerMetrics metrics;
    private final Pending pending = new Pending();
    private final long[] sent;
    private final long[] size;
    private final StepRun[] rows;
    private Build build;
    private BuildView lastBuild;

    BuildStream(SseClient client, String buildId, long[] from, LogMode mode, BuildStore store, LogStore logs,
                Views views, BuildEvents events, ServerMetrics metrics) {
        this.client = client;
        this.metrics = metrics;
        this.buildId = buildId;
        this.store = store;
        this.logs = logs;
        this.views = views;
        this.events = events;
        this.mode = mode;
        this.sent = from.clone();
        this.size = from.clone();
        this.rows = new StepRun[from.length];
    }

    @Override
    public void changed(String id) {
        pending.add(Part.BUILD, -1);
    }

    @Override
    public void changed(String id, Part part, int step) {
        pending.add(step >= 0 && step < rows.length ? part : Part.BUILD, step);
    }

    @Override
    public void stepChanged(String id, int step, UnaryOperator<StepRun> how) {
        if (step >= 0 && step < rows.length) {
            pending.add(step, how);
        } else {
            pending.add(Part.BUILD, -1);
        }
    }

    /** Whether a change waits for the next round: for tests. */
    boolean woken() {
        return pending.waiting();
    }

    @Override
    public void run() {
        events.follow(buildId, this);
        client.onClose(() -> {
            events.unfollow(buildId, this);
            pending.close();
        });
        try {
            Pending.Taken changes = Pending.Taken.EVERYTHING;
            boolean first = true;
            while (!client.terminated()) {
                if (!changes.isEmpty() && !round(changes, first)) {
                    break;
                }
                first = false;
                beforeWait.accept(buildId);
                // Takes and clears what changed before the next round reads: what lands after this is kept for the round after.
                changes = pending.take(KEEPALIVE_MS, GATHER_MS);
                if (changes.isEmpty() && !client.terminated()) {
                    client.sendComment("keepalive");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            // The client went away mid-write; nothing to clean but our subscription.
        } finally {
            events.unfollow(buildId, this);
            client.close();
        }
    }

    /** Reads what changed and sends it; false once the stream is over. */
    private boolean round(Pending.Taken changes, boolean first) throws IOException {
        BitSet changedRows = new BitSet();
        BitSet toSend = (BitSet) changes.logs().clone();
        if (changes.build()) {
            Optional<Build> b = store.get(buildId);
            if (b.isEmpty()) {
                client.sendEvent("error", "{\"message\":\"no such build\"}");
                return false;
            }
            build = b.get();
            for (StepRun s : store.steps(buildId)) {
                if (s.index() < rows.length && !s.equals(rows[s.index()])) {
                    rows[s.index()] = s;
                    changedRows.set(s.index());
                }
            }
            toSend.set(0, rows.length);
        } else {
            BitSet read = (BitSet) changes.steps().clone();
            for (var e : changes.carried().entrySet()) {
                int i = e.getKey();
                if (rows[i] == null) {
                    read.set(i);   // nothing to apply the change to: read the row
                    continue;
                }
                StepRun now = rows[i];
                for (UnaryOperator<StepRun> how : e.getValue()) {
                    now = how.apply(now);
                }
                if (!now.equals(rows[i])) {
                    rows[i] = now;
                    changedRows.set(i);
                }
            }
            for (int i = read.nextSetBit(0); i >= 0; i = read.nextSetBit(i + 1)) {
                Optional<StepRun> s = store.stepRun(buildId, i);
                if (s.isPresent() && !s.get().equals(rows[i])) {
                    rows[i] = s.get();
                    changedRows.set(i);
                }
            }
        }
        toSend.or(changedRows);
        // Step by step, each step's log before its new state: its row was read before its log, so a step
        // that ended has all its bytes out before its end is told.
        for (int i = toSend.nextSetBit(0); i >= 0; i = toSend.nextSetBit(i + 1)) {
            sendLog(i);
            if ((first || changedRows.get(i)) && rows[i] != null) {
                client.sendEvent("step", Json.MAPPER.writeValueAsString(stepView(rows[i])));
            }
        }
        if (build == null) {
            return true;
        }
        BuildView whole = views.build(build, List.of());
        if (first || !whole.equals(lastBuild)) {
            lastBuild = whole;
            client.sendEvent("build", Json.MAPPER.writeValueAsString(view()));
        }
        if (build.status().isFinal() && allSent()) {
            client.sendEvent("end", Json.MAPPER.writeValueAsString(view()));
            return false;
        }
        return true;
    }

    private BuildView view() {
        BuildView b = views.build(build, List.of());
        List<StepView> steps = Arrays.stream(rows).filter(r -> r != null).map(this::stepView).toList();
        return b.withSteps(steps);
    }

    private StepView stepView(StepRun s) {
        return new StepView(s.index(), s.stepId(), s.status(), s.statusDetail(), s.exitCode(), time(s.startTime()),
                time(s.finishTime()), size[s.index()]);
    }

    private static Instant time(Long millis) {
        return millis == null ? null : Instant.ofEpochMilli(millis);
    }

    private boolean allSent() {
        for (int i = 0; i < sent.length; i++) {
            if (sent[i] < size[i]) {
                return false;
            }
        }
        return true;
    }

    /** Sends step {@code step}'s log from where this stream stopped to the size it has now. */
    private void sendLog(int step) throws IOException {
        long now = Math.max(size[step], logs.size(buildId, step));
        size[step] = now;
        if (mode == LogMode.SIZE) {
            if (now > sent[step]) {
                long from = sent[step];
                sent[step] = now;
                client.sendEvent("log", "{\"step\":" + step + ",\"offset\":" + from + ",\"next\":" + now + "}", cursor());
            }
            return;
        }
        // A running step's log can end inside a character whose last bytes are still on their way:
        // those wait for the next read. Once the step or the build is over every byte goes out.
        StepRun row = rows[step];
        boolean growing = build == null || !build.status().isFinal() && (row == null || !row.status().isFinal());
        while (sent[step] < now && !client.terminated()) {
            long offset = sent[step];
            byte[] chunk = logs.read(buildId, step, offset, (int) Math.min(CHUNK, now - offset));
            int len = chunk.length == CHUNK || growing ? completeUtf8(chunk) : chunk.length;
            if (len == 0) {
                break;
            }
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE)
                    .decode(ByteBuffer.wrap(chunk, 0, len)).toString();
            sent[step] = offset + len;
            metrics.streamed(len);
            client.sendEvent("log", Json.MAPPER.writeValueAsString(Map.of("step", step, "offset", offset,
                    "next", offset + len, "text", text)), cursor());
        }
    }

    /** Every step's offset, as the {@code offsets} parameter takes them, trailing zeros left out. */
    private String cursor() {
        int n = sent.length;
        while (n > 1 && sent[n - 1] == 0) {
            n--;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : ",").append(sent[i]);
        }
        return b.toString();
    }

    /** Cuts a chunk before a UTF-8 sequence it splits, so no character is broken in two events. */
    static int completeUtf8(byte[] b) {
        int n = b.length;
        for (int back = 1; back <= 3 && back <= n; back++) {
            int c = b[n - back] & 0xff;
            if ((c & 0xC0) == 0x80) {
                continue;
            }
            // Only C2..F4 start a character; any other byte is sent as it is (the decoder replaces it).
            int need = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 1;
            return need > back ? n - back : n;
        }
        return n;
    }
}
