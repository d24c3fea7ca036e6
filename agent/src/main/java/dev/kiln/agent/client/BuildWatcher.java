package dev.kiln.agent.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.spec.api.BuildView;
import dev.kiln.spec.api.StepView;
import dev.kiln.spec.json.Json;
import dev.kiln.spec.protocol.Status;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Follows a build and prints it as Cloud Build does: {@code Starting Step #N - "id"}, each line
 * prefixed {@code Step #N - "id": }, {@code Finished Step #N - "id"} after the step's last byte (a last
 * line without a newline included). The event stream ({@code log=size}) says what changed; the log
 * bytes come raw from the log route, from where this watcher stopped, and are printed as bytes.
 * Events are handled one after the other, so a step's bytes are all printed before its end is. Reconnects
 * after a dropped connection and resumes every step where it stopped, so nothing prints twice.
 */
public final class BuildWatcher {
    private static final int READ = 256 * 1024;
    /** The rule {@code kiln submit} prints between the build's output and its status. */
    public static final String RULE = "------------------------------------------------------------------------------------------------";

    private final ApiClient api;
    private final PrintStream target;
    private final Map<Integer, String> names = new HashMap<>();
    private final Map<Integer, byte[]> prefixes = new HashMap<>();
    private final Set<Integer> started = new HashSet<>();
    private final Set<Integer> finished = new HashSet<>();
    private final byte[] chunk = new byte[READ];
    private LogPrinter out;
    private String buildId;
    private long[] offsets = new long[0];

    public BuildWatcher(ApiClient api, PrintStream out) {
        this.api = api;
        this.target = out;
    }

    /**
     * Loads and compiles, on a thread of its own, what following a build needs (the JSON readers of
     * its views, the printer), so that a CLI which then submits a build does this while it packs and
     * uploads rather than while the build's first steps run: on 2 cores a starting JVM's class loading
     * and compiling slowed a watched 100-step build by about 2 ms a step (measured).
     */
    public static void prepare() {
        Thread t = new Thread(() -> {
            try {
                StepView s = new StepView(0, "Step #0", Status.WORKING, null, null, null, null, 0);
                BuildView b = Json.MAPPER.readValue(Json.MAPPER.writeValueAsBytes(new BuildView("b", Status.WORKING, null,
                        null, Map.of(), java.util.List.of(), null, null, null, null, java.util.List.of(s), null,
                        java.util.List.of(), null, null, null, null, null, null, null, null)), BuildView.class);
                Json.MAPPER.readValue(Json.MAPPER.writeValueAsBytes(b.steps().get(0)), StepView.class);
                Json.MAPPER.readTree("{\"step\":0,\"offset\":0,\"next\":1}");
                LogPrinter.over(new PrintStream(java.io.OutputStream.nullOutputStream())).line("");
            } catch (IOException | RuntimeException e) {
                // Only a head start: following works without it.
            }
        }, "kiln-prepare");
        t.setDaemon(true);
        t.start();
    }

    /** Prints until the build ends; returns its final state. */
    public BuildView follow(String buildId) throws IOException, InterruptedException {
        this.buildId = buildId;
        this.out = LogPrinter.over(target);
        BuildView initial = api.get(buildId);
        offsets = new long[initial.steps().size()];
        initial.steps().forEach(s -> names.put(s.index(), s.id()));
        int failures = 0;
        try {
            while (true) {
                try {
                    try (Stream<String> lines = api.events(buildId, offsets, "size")) {
                        failures = 0;
                        BuildView end = consume(lines.iterator());
                        if (end != null) {
                            return end;
                        }
                    }
                    // The stream closed before the end (a server restart): reconnect where we were.
                    BuildView now = api.get(buildId);
                    if (now.status().isFinal()) {
                        finish(now);
                        return now;
                    }
                    Thread.sleep(100);
                } catch (ApiClient.ApiException e) {
                    throw e;
                } catch (IOException e) {
                    // The server is away (restarting, say): keep trying for about a minute.
                    if (++failures > 60) {
                        throw e;
                    }
                    Thread.sleep(Math.min(1_000, 100L * failures));
                }
            }
        } finally {
            out.flush();
        }
    }

    private BuildView consume(Iterator<String> lines) throws IOException, InterruptedException {
        String event = "message";
        StringBuilder data = new StringBuilder();
        while (lines.hasNext()) {
            String line = lines.next();
            if (line.isEmpty()) {
                BuildView end = dispatch(event, data.toString());
                if (end != null) {
                    return end;
                }
                // Whatever an event printed goes out now: the next event may be a while coming.
                out.flush();
                event = "message";
                data.setLength(0);
            } else if (line.startsWith("event:")) {
                event = line.substring(6).strip();
            } else if (line.startsWith("data:")) {
                if (data.length() > 0) {
                    data.append('\n');
                }
                data.append(line.substring(line.startsWith("data: ") ? 6 : 5));
            }
        }
        return null;
    }

    private BuildView dispatch(String event, String data) throws IOException, InterruptedException {
        switch (event) {
            case "log" -> {
                JsonNode n = Json.MAPPER.readTree(data);
                int step = n.get("step").asInt();
                if (n.get("next").asLong() > offsets[step]) {
                    startStep(step);
                    catchUp(step);
                }
            }
            case "step" -> update(Json.MAPPER.readValue(data, StepView.class));
            case "build" -> {
                for (StepView s : Json.MAPPER.readValue(data, BuildView.class).steps()) {
                    update(s);
                }
            }
            case "end" -> {
                BuildView b = Json.MAPPER.readValue(data, BuildView.class);
                finish(b);
                return b;
            }
            default -> { }
        }
        return null;
    }

    /** Prints a step's log from where it stopped to where it ends now, as raw bytes. */
    private void catchUp(int step) throws IOException, InterruptedException {
        byte[] prefix = prefix(step);
        try (InputStream in = api.log(buildId, step, offsets[step])) {
            int n;
            while ((n = in.read(chunk)) > 0) {
                offsets[step] += n;
                out.log(step, prefix, chunk, 0, n);
            }
        }
    }

    private void update(StepView s) throws IOException, InterruptedException {
        names.put(s.index(), s.id());
        if (s.status() == Status.WORKING || s.status().isFinal() && s.status() != Status.SKIPPED && s.startTime() != null) {
            startStep(s.index());
        }
        if (s.status().isFinal() && started.contains(s.index())) {
            finishStep(s.index(), s.logSize());
        }
    }

    private void finish(BuildView b) throws IOException, InterruptedException {
        for (StepView s : b.steps()) {
            update(s);
        }
        for (StepView s : b.steps()) {
            if (started.contains(s.index())) {
                finishStep(s.index(), s.logSize());
            }
        }
        out.flush();
    }

    private void startStep(int step) throws IOException {
        if (started.add(step)) {
            out.line("Starting " + label(step));
        }
    }

    /** Prints the rest of an ended step's log, its last line even without a newline, then its end. */
    private void finishStep(int step, long logSize) throws IOException, InterruptedException {
        if (finished.contains(step)) {
            return;
        }
        if (offsets[step] < logSize) {
            catchUp(step);
        }
        finished.add(step);
        out.endStep(step, prefix(step));
        out.line("Finished " + label(step));
    }

    private String label(int step) {
        String id = names.getOrDefault(step, "Step #" + step);
        return id.equals("Step #" + step) ? "Step #" + step : "Step #" + step + " - \"" + id + "\"";
    }

    private byte[] prefix(int step) {
        return prefixes.computeIfAbsent(step, k -> (label(step) + ": ").getBytes(StandardCharsets.UTF_8));
    }

    public static String prefixFor(StepView s) {
        return s.id().equals("Step #" + s.index()) ? "Step #" + s.index() + ": " : "Step #" + s.index() + " - \"" + s.id() + "\": ";
    }

    /** The line that closes a build's output, as {@code kiln submit} prints it. */
    public static String statusLine(BuildView end) {
        return end.status() == Status.SUCCESS ? "DONE"
                : "ERROR: build " + end.status() + (end.statusDetail() != null ? ": " + end.statusDetail() : "");
    }
}
