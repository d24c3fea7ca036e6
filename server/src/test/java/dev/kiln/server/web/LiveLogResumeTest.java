package dev.kiln.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.server.support.TestServer;
import dev.kiln.spec.api.BuildView;
import dev.kiln.spec.json.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The live log feed over HTTP: a reconnect with Last-Event-ID loses and doubles nothing. */
class LiveLogResumeTest {
    @TempDir Path tmp;

    record Event(String name, String id, JsonNode data) {}

    /** Reads events until {@code stopAfter} of them or an {@code end} event. */
    private static List<Event> read(String url, String cookie, String lastEventId, int stopAfter) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/event-stream")
                .header("Cookie", cookie);
        if (lastEventId != null) {
            r.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<Stream<String>> res = HttpClient.newHttpClient().send(r.build(), HttpResponse.BodyHandlers.ofLines());
        assertThat(res.statusCode()).isEqualTo(200);
        List<Event> events = new ArrayList<>();
        String name = null;
        String id = null;
        StringBuilder data = new StringBuilder();
        try (Stream<String> lines = res.body()) {
            Iterator<String> it = lines.iterator();
            while (it.hasNext()) {
                String line = it.next();
                if (line.startsWith("event:")) {
                    name = line.substring(6).strip();
                } else if (line.startsWith("id:")) {
                    id = line.substring(3).strip();
                } else if (line.startsWith("data:")) {
                    data.append(line.substring(5).strip());
                } else if (line.isEmpty() && name != null) {
                    events.add(new Event(name, id, Json.MAPPER.readTree(data.toString())));
                    if (name.equals("end") || events.size() >= stopAfter) {
                        return events;
                    }
                    name = null;
                    data.setLength(0);
                }
            }
        }
        return events;
    }

    private static List<String> finals(List<Event> events) {
        List<String> texts = new ArrayList<>();
        for (Event e : events) {
            e.data().get("f").forEach(row -> texts.add(row.asText().replaceAll("<a class=\"no\"[^>]*>\\d+</a>", "")
                    .replaceAll("<[^>]+>", "")));
        }
        return texts;
    }

    @Test
    void a_reconnect_with_last_event_id_resumes_at_that_byte_with_nothing_lost_or_doubled() throws Exception {
        try (TestServer kiln = TestServer.start(tmp.resolve("data"))) {
            String cookie = WebSession.adminCookie(kiln);
            BuildView b = kiln.submit(TestServer.repo(tmp.resolve("src"), Map.of("build.yaml",
                    "steps:\n  - args: [sh, -c, 'for i in $(seq 1 400); do printf \"line-%d\\n\" $i; sleep 0.004; done']\n")));
            String url = kiln.server.url() + "/builds/" + b.id() + "/steps/0/live";
            // The step may still be queued: wait until it has written something, then read a few events and drop them.
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20))
                    .until(() -> kiln.api.get(b.id()).steps().get(0).logSize() > 0);
            List<Event> first = read(url, cookie, null, 3);
            assertThat(first).extracting(Event::name).as("still running when the first connection drops").doesNotContain("end");
            String resumeAt = first.get(first.size() - 1).id();
            List<Event> rest = read(url, cookie, resumeAt, Integer.MAX_VALUE);
            assertThat(rest.get(rest.size() - 1).name()).isEqualTo("end");
            List<String> all = new ArrayList<>(finals(first));
            all.addAll(finals(rest));
            assertThat(all).containsExactlyElementsOf(IntStream.rangeClosed(1, 400).mapToObj(i -> "line-" + i).toList());
        }
    }
}
