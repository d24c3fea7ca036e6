package dev.kiln.server.http;

import static dev.kiln.server.http.BuildStreamTest.logEvents;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.agent.client.ApiClient;
import dev.kiln.server.http.BuildStreamTest.Event;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;

/** A build's event stream, read one event at a time. */
final class Sse implements AutoCloseable {
    private final Stream<String> lines;
    private final Iterator<String> it;

    Sse(ApiClient api, String buildId, long... offsets) throws IOException, InterruptedException {
        this.lines = api.events(buildId, offsets);
        this.it = lines.iterator();
    }

    /** The next event, or null once the server has closed the stream. */
    Event next() {
        String name = "message";
        StringBuilder data = null;
        while (it.hasNext()) {
            String line = it.next();
            if (line.startsWith(":")) {
                return new Event(":", line.substring(1).strip());
            } else if (line.isEmpty()) {
                if (data != null) {
                    return new Event(name, data.toString());
                }
            } else if (line.startsWith("event:")) {
                name = line.substring(6).strip();
            } else if (line.startsWith("data:")) {
                data = data == null ? new StringBuilder() : data.append('\n');
                data.append(line.substring(line.startsWith("data: ") ? 6 : 5));
            }
        }
        return null;
    }

    /** Reads events into {@code seen} until step {@code step}'s log, from offset 0, is {@code text}. */
    void readUntil(List<Event> seen, int step, String text) {
        while (true) {
            String now = seen.stream().anyMatch(e -> e.name().equals("log")) ? concatenated(seen, step) : "";
            if (now.equals(text)) {
                return;
            }
            assertThat(text).as("log so far").startsWith(now);
            Event e = next();
            assertThat(e).as("stream ended before the log read: " + text).isNotNull();
            seen.add(e);
        }
    }

    private static String concatenated(List<Event> seen, int step) {
        StringBuilder b = new StringBuilder();
        logEvents(seen, step).forEach(n -> b.append(n.get("text").asText()));
        return b.toString();
    }

    /** Every event until the server closes the stream. */
    List<Event> rest() {
        List<Event> all = new ArrayList<>();
        for (Event e = next(); e != null; e = next()) {
            all.add(e);
        }
        return all;
    }

    @Override
    public void close() {
        lines.close();
    }
}
