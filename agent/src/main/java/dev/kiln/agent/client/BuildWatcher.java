package dev.kiln.agent.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.spec.api.BuildView;
import dev.kiln.spec.api.StepView;
import dev.kiln.spec.json.Json;
import dev.kiln.spec.protocol.Status;
import java.io.IOException;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Follows a build's event stream and prints it as Cloud Build does: {@code Starting Step #N - "id"},
 * each line prefixed {@code Step #N - "id": }, {@code Finished Step #N - "id"}. Reconnects after a
 * dropped connection and resumes every step's log where it stopped, so nothing prints twice.
 */
public final class BuildWatcher {
    private final ApiClient api;
    private final PrintStream out;
    private final Map<Integer, StringBuilder> partial = new HashMap<>();
    private final Map<Integer, String> names = new HashMap<>();
    private final Set<Integer> started = new HashSet<>();
    private final Set<Integer> finished = new HashSet<>();
    private long[] offsets = new long[0];

    public BuildWatcher(ApiClient api, PrintStream out) {
        this.api = api;
        this.out = out;
    }

    /** Prints until the build ends; returns its final state. */
    public BuildView follow(String buildId) throws IOException, InterruptedException {
        BuildView initial = api.get(buildId);
        offsets = new long[initial.steps().size()];
        initial.steps().forEach(s -> names.put(s.index(), s.id()));
        int failures = 0;
        while (true) {
            try {
                try (Stream<String> lines = api.events(buildId, offsets)) {
                    failures = 0;
                    BuildView end = consume(lines.iterator());
                    if (end != null) {
                        return end;
                    }
                }
                // The stream closed before the end (a server restart): reconnect where we were.
                BuildView now = api.get(buildId);
                if (now.status().isFinal() && caughtUp(now)) {
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
    }

    private boolean caughtUp(BuildView b) {
        for (StepView s : b.steps()) {
            if (offsets[s.index()] < s.logSize()) {
                return false;
            }
        }
        return true;
    }

    private BuildView consume(Iterator<String> lines) throws IOException {
        String event = "message";
        StringBuilder data = new StringBuilder();
        while (lines.hasNext()) {
            String line = lines.next();
            if (line.isEmpty()) {
                BuildView end = dispatch(event, data.toString());
                if (end != null) {
                    return end;
                }
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

    private BuildView dispatch(String event, String data) throws IOException {
        switch (event) {
            case "log" -> {
                JsonNode n = Json.MAPPER.readTree(data);
                int step = n.get("step").asInt();
                long offset = n.get("offset").asLong();
                String text = n.get("text").asText();
                if (offset != offsets[step]) {
                    return null;
                }
                // Decoding replaced any invalid bytes, so the text's length is not the byte count: the server says where it ends.
                offsets[step] = n.get("next").asLong();
                startStep(step);
                printLines(step, text);
            }
            case "build" -> update(Json.MAPPER.readValue(data, BuildView.class));
            case "end" -> {
                BuildView b = Json.MAPPER.readValue(data, BuildView.class);
                finish(b);
                return b;
            }
            default -> { }
        }
        return null;
    }

    private void update(BuildView b) {
        for (StepView s : b.steps()) {
            names.put(s.index(), s.id());
            if (s.status() == Status.WORKING || s.status().isFinal() && s.status() != Status.SKIPPED && s.startTime() != null) {
                startStep(s.index());
            }
            if (s.status().isFinal() && started.contains(s.index()) && offsets[s.index()] >= s.logSize()) {
                finishStep(s.index());
            }
        }
    }

    private void finish(BuildView b) {
        update(b);
        for (StepView s : b.steps()) {
            if (started.contains(s.index())) {
                finishStep(s.index());
            }
        }
        out.flush();
    }

    private void startStep(int step) {
        if (started.add(step)) {
            out.println("Starting " + label(step));
        }
    }

    private void finishStep(int step) {
        if (finished.add(step)) {
            StringBuilder rest = partial.remove(step);
            if (rest != null && rest.length() > 0) {
                out.println(prefix(step) + rest);
            }
            out.println("Finished " + label(step));
        }
    }

    private void printLines(int step, String text) {
        StringBuilder buf = partial.computeIfAbsent(step, k -> new StringBuilder());
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                buf.append(text, start, i);
                out.println(prefix(step) + buf);
                buf.setLength(0);
                start = i + 1;
            }
        }
        buf.append(text, start, text.length());
    }

    private String label(int step) {
        String id = names.getOrDefault(step, "Step #" + step);
        return id.equals("Step #" + step) ? "Step #" + step : "Step #" + step + " - \"" + id + "\"";
    }

    private String prefix(int step) {
        return label(step) + ": ";
    }

    public static String prefixFor(StepView s) {
        return s.id().equals("Step #" + s.index()) ? "Step #" + s.index() + ": " : "Step #" + s.index() + " - \"" + s.id() + "\": ";
    }
}
