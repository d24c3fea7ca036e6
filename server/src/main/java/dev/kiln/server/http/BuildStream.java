package dev.kiln.server.http;

import dev.kiln.server.events.BuildEvents;
import dev.kiln.server.logs.LogStore;
import dev.kiln.server.store.Build;
import dev.kiln.server.store.BuildStore;
import dev.kiln.server.store.StepRun;
import dev.kiln.spec.api.BuildView;
import dev.kiln.spec.json.Json;
import io.javalin.http.sse.SseClient;
import java.io.IOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Streams one build to one SSE client: {@code build} events with its state, {@code log} events
 * with each step's new log text ({@code {step, offset, text}}), and {@code end} when the build is
 * over and every byte was sent. Reads from the store on each change, so it holds no backlog.
 * Because a step's state is read before its log, a client sees every log byte of a step before it
 * sees that step end.
 */
final class BuildStream implements Runnable, BuildEvents.Follower {
    static final int CHUNK = 64 * 1024;
    private static final long KEEPALIVE_MS = 15_000;

    private final SseClient client;
    private final String buildId;
    private final BuildStore store;
    private final LogStore logs;
    private final Views views;
    private final BuildEvents events;
    private final Semaphore wake = new Semaphore(0);
    private final Map<Integer, Long> sent = new HashMap<>();
    private String lastState;

    BuildStream(SseClient client, String buildId, long[] from, BuildStore store, LogStore logs, Views views, BuildEvents events) {
        this.client = client;
        this.buildId = buildId;
        this.store = store;
        this.logs = logs;
        this.views = views;
        this.events = events;
        for (int i = 0; i < from.length; i++) {
            sent.put(i, from[i]);
        }
    }

    @Override
    public void changed(String id) {
        wake.release();
    }

    @Override
    public void run() {
        events.follow(buildId, this);
        client.onClose(() -> {
            events.unfollow(this);
            wake.release();
        });
        try {
            while (!client.terminated()) {
                // Before reading, not after: a change that comes while this round reads and sends leaves
                // a permit, so the wait below returns at once and the next round sees it.
                wake.drainPermits();
                Optional<Build> b = store.get(buildId);
                if (b.isEmpty()) {
                    client.sendEvent("error", "{\"message\":\"no such build\"}");
                    break;
                }
                List<StepRun> steps = store.steps(buildId);
                sendLogs(b.get(), steps);
                BuildView view = views.build(b.get(), steps);
                String state = Json.MAPPER.writeValueAsString(view);
                String stateWithoutSizes = Json.MAPPER.writeValueAsString(withoutSizes(view));
                if (!stateWithoutSizes.equals(lastState)) {
                    client.sendEvent("build", state);
                    lastState = stateWithoutSizes;
                }
                if (b.get().status().isFinal() && allSent(steps)) {
                    client.sendEvent("end", state);
                    break;
                }
                if (!wake.tryAcquire(KEEPALIVE_MS, TimeUnit.MILLISECONDS)) {
                    client.sendComment("keepalive");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            // The client went away mid-write; nothing to clean but our subscription.
        } finally {
            events.unfollow(this);
            client.close();
        }
    }

    private static BuildView withoutSizes(BuildView v) {
        return new BuildView(v.id(), v.status(), v.statusDetail(), v.configPath(), v.substitutions(), v.tags(),
                v.retryOf(), v.createTime(), v.startTime(), v.finishTime(),
                v.steps().stream().map(s -> new dev.kiln.spec.api.StepView(s.index(), s.id(), s.status(), s.statusDetail(),
                        s.exitCode(), s.startTime(), s.finishTime(), 0)).toList(), v.logUrl(), v.labels(), v.agent(),
                v.repo(), v.ref(), v.commitSha(), v.commitAuthor(), v.commitMessage(), v.trigger(), v.cause(),
                v.causeDetail(), v.approval(), v.kept());
    }

    private boolean allSent(List<StepRun> steps) {
        for (StepRun s : steps) {
            if (sent.getOrDefault(s.index(), 0L) < logs.size(buildId, s.index())) {
                return false;
            }
        }
        return true;
    }

    private void sendLogs(Build b, List<StepRun> steps) throws IOException {
        for (StepRun s : steps) {
            // A running step's log can end inside a character whose last bytes are still on their way:
            // those wait for the next read. Once the step or the build is over every byte goes out.
            boolean growing = !b.status().isFinal() && !s.status().isFinal();
            long offset = sent.getOrDefault(s.index(), 0L);
            while (!client.terminated()) {
                byte[] chunk = logs.read(buildId, s.index(), offset, CHUNK);
                int len = chunk.length == CHUNK || growing ? completeUtf8(chunk) : chunk.length;
                if (len == 0) {
                    break;
                }
                String text = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPLACE)
                        .onUnmappableCharacter(CodingErrorAction.REPLACE)
                        .decode(java.nio.ByteBuffer.wrap(chunk, 0, len)).toString();
                client.sendEvent("log", Json.MAPPER.writeValueAsString(Map.of("step", s.index(), "offset", offset,
                        "next", offset + len, "text", text)));
                offset += len;
                sent.put(s.index(), offset);
            }
        }
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
