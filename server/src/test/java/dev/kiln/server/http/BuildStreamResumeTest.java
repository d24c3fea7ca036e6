package dev.kiln.server.http;

import static dev.kiln.server.http.BuildStreamTest.view;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.server.http.BuildStreamTest.Event;
import dev.kiln.server.support.TestServer;
import dev.kiln.spec.json.Json;
import dev.kiln.spec.protocol.Status;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a browser relies on: each {@code log} event's SSE id is the stream's position, and a
 * reconnect sending it as {@code Last-Event-ID} resumes exactly there; and a follower gets only what
 * changed. Spoken over a plain socket, so the test can drop the connection in the middle of an event.
 */
@Timeout(120)
class BuildStreamResumeTest {
    @TempDir Path tmp;
    TestServer kiln;

    @BeforeEach
    void start() throws Exception {
        TestServer.reachable(tmp);
        kiln = TestServer.start(tmp.resolve("data"));
    }

    @AfterEach
    void stop() {
        kiln.close();
    }

    /** One event as it came: its name, its id (null if it had none) and its data. */
    record Raw(String name, String id, String data) {
        JsonNode json() throws IOException {
            return Json.MAPPER.readTree(data);
        }
    }

    @Test
    void a_client_that_drops_mid_event_and_reconnects_with_last_event_id_gets_every_byte_once() throws Exception {
        String id = submit("""
                steps:
                  - args: [seq, 1, 60000]
                  - args: [seq, 100000, 150000]
                """);
        kiln.awaitEnd(id, Duration.ofSeconds(30));
        String[] logs = {kiln.logText(id, 0), kiln.logText(id, 1)};

        // Cut somewhere inside step 1's log: past all of step 0 (its ~60,000 newlines are two bytes each in
        // JSON), in the middle of an event.
        byte[] first = read(id, null, logs[0].length() + 60_000 + 150_000);
        List<Raw> before = events(first);
        String lastId = null;
        for (Raw e : before) {
            lastId = e.id() != null ? e.id() : lastId;
        }
        assertThat(lastId).as("ids of the events before the cut").matches("\\d+,\\d+");
        // The URL still says "from the start", as an EventSource's does: the header wins.
        List<Raw> after = events(read(id, lastId, Integer.MAX_VALUE));

        List<Raw> all = new ArrayList<>(before);
        all.addAll(after);
        assertThat(text(all, 0)).isEqualTo(logs[0]);
        assertThat(text(all, 1)).isEqualTo(logs[1]);
        assertThat(after.get(after.size() - 1).name()).isEqualTo("end");
        String[] resumed = lastId.split(",");
        assertThat(logEvents(after, 1).get(0).get("offset").asText()).isEqualTo(resumed[1]);
        assertThat(logEvents(after, 0)).as("step 0 was whole before the cut").isEmpty();
    }

    @Test
    void the_id_of_a_one_step_builds_log_event_is_its_byte_offset_and_a_live_resume_misses_nothing() throws Exception {
        try (Gate gate = new Gate(TestServer.reachable(Files.createDirectories(tmp.resolve("gates"))), "live")) {
            String id = submit("steps:\n  - args: [cat, '${_GATE}']\n", Map.of("_GATE", gate.path.toString()));
            gate.write("first\n");
            List<Raw> before;
            try (RawStream s = new RawStream(kiln, id, null)) {
                before = s.until(e -> e.name().equals("log"));
            }
            Raw log = before.get(before.size() - 1);
            assertThat(log.id()).isEqualTo("6");

            gate.write("second\n"); // while no one follows
            try (RawStream s = new RawStream(kiln, id, log.id())) {
                List<Raw> after = s.until(e -> e.name().equals("log"));
                gate.write("third");
                gate.close();
                after.addAll(s.until(e -> e.name().equals("end")));
                assertThat(text(after, 0)).isEqualTo("second\nthird");
                assertThat(logEvents(after, 0).get(0).get("offset").asLong()).isEqualTo(6);
            }
        }
    }

    @Test
    void a_watched_build_of_twenty_steps_sends_each_step_as_it_changes_and_the_whole_build_only_when_the_build_changes()
            throws Exception {
        StringBuilder yaml = new StringBuilder("steps:\n");
        for (int i = 0; i < 20; i++) {
            yaml.append("  - args: [echo, 'step ").append(i).append("']\n");
        }
        String id = submit(yaml.toString());
        List<Event> seen;
        try (Sse sse = new Sse(kiln.api, id)) {
            seen = sse.rest();
        }

        long builds = seen.stream().filter(e -> e.name().equals("build")).count();
        assertThat(builds).as("the first state, running, ended").isLessThanOrEqualTo(3);
        for (int i = 0; i < 20; i++) {
            int step = i;
            List<Event> steps = seen.stream().filter(e -> e.name().equals("step")
                    && e.json().get("index").asInt() == step).toList();
            List<String> statuses = new ArrayList<>();
            for (Event e : steps) {
                statuses.add(e.json().get("status").asText());
            }
            assertThat(statuses).as("step %d: each state it went through, once", i).doesNotHaveDuplicates()
                    .isSubsetOf("QUEUED", "WORKING", "SUCCESS");
            assertThat(steps.get(steps.size() - 1).json().get("status").asText()).isEqualTo("SUCCESS");
            int lastLog = lastIndex(seen, e -> e.name().equals("log") && e.json().get("step").asInt() == step);
            assertThat(lastLog).as("step %d's log comes before its end", i)
                    .isLessThan(seen.indexOf(steps.get(steps.size() - 1)));
        }
        assertThat(view(seen.get(seen.size() - 1)).status()).isEqualTo(Status.SUCCESS);
    }

    @Test
    void with_log_size_the_stream_tells_how_far_each_log_reaches_and_sends_no_text() throws Exception {
        String id = submit("steps:\n  - args: [seq, 1, 30000]\n  - args: [echo, done]\n");
        kiln.awaitEnd(id, Duration.ofSeconds(30));
        List<Raw> seen = events(RawStream.get(kiln, "/api/builds/" + id + "/events?log=size", null, Integer.MAX_VALUE));

        List<JsonNode> logs = logEvents(seen, 0);
        assertThat(logs).hasSize(1);
        assertThat(logs.get(0).has("text")).isFalse();
        assertThat(logs.get(0).get("next").asLong()).isEqualTo(kiln.log(id, 0).length);
        assertThat(logEvents(seen, 1).get(0).get("next").asLong()).isEqualTo(5);
        assertThat(seen.get(seen.size() - 1).name()).isEqualTo("end");
        assertThat(new String(RawStream.get(kiln, "/api/builds/" + id + "/events?log=words", null, 4096),
                StandardCharsets.UTF_8)).startsWith("HTTP/1.1 400").contains("log must be text or size");
    }

    private byte[] read(String id, String lastEventId, int max) throws IOException {
        return RawStream.get(kiln, "/api/builds/" + id + "/events?offsets=0,0", lastEventId, max);
    }

    /** The complete events in a response (headers and all); an event cut by the end is left out. */
    static List<Raw> events(byte[] response) {
        String text = new String(response, StandardCharsets.UTF_8);
        int body = text.indexOf("\r\n\r\n");
        List<Raw> out = new ArrayList<>();
        if (body < 0) {
            return out;
        }
        String rest = text.substring(body + 4);
        int end;
        while ((end = rest.indexOf("\n\n")) >= 0) {
            String name = "message";
            String id = null;
            StringBuilder data = null;
            for (String line : rest.substring(0, end).split("\n", -1)) {
                if (line.startsWith("event:")) {
                    name = line.substring(6).strip();
                } else if (line.startsWith("id:")) {
                    id = line.substring(3).strip();
                } else if (line.startsWith("data:")) {
                    data = data == null ? new StringBuilder() : data.append('\n');
                    data.append(line.substring(line.startsWith("data: ") ? 6 : 5));
                }
            }
            if (data != null) {
                out.add(new Raw(name, id, data.toString()));
            }
            rest = rest.substring(end + 2);
        }
        return out;
    }

    static List<JsonNode> logEvents(List<Raw> seen, int step) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (Raw e : seen) {
            if (e.name().equals("log") && e.json().get("step").asInt() == step) {
                out.add(e.json());
            }
        }
        return out;
    }

    /** One step's text, checking that each event starts where the one before ended. */
    static String text(List<Raw> seen, int step) throws IOException {
        StringBuilder b = new StringBuilder();
        long at = -1;
        for (JsonNode n : logEvents(seen, step)) {
            assertThat(at < 0 || n.get("offset").asLong() == at).as("no byte twice or lost").isTrue();
            at = n.get("next").asLong();
            b.append(n.get("text").asText());
        }
        return b.toString();
    }

    static <T> int lastIndex(List<T> list, java.util.function.Predicate<T> p) {
        for (int i = list.size() - 1; i >= 0; i--) {
            if (p.test(list.get(i))) {
                return i;
            }
        }
        return -1;
    }

    private String submit(String yaml) throws Exception {
        return submit(yaml, Map.of());
    }

    private String submit(String yaml, Map<String, String> subs) throws Exception {
        Path repo = TestServer.repo(Files.createTempDirectory(tmp, "repo"), Map.of("build.yaml", yaml));
        return kiln.submit(repo, subs).id();
    }

    /** An SSE request over HTTP/1.0 (no chunking: the body is the bytes as sent), read as far as a test wants. */
    static final class RawStream implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final ByteArrayOutputStream got = new ByteArrayOutputStream();
        private int used;

        RawStream(TestServer kiln, String id, String lastEventId) throws IOException {
            socket = open(kiln, "/api/builds/" + id + "/events", lastEventId);
            in = socket.getInputStream();
        }

        /** Reads until an event matches; returns the events since the last call. */
        List<Raw> until(java.util.function.Predicate<Raw> p) throws IOException {
            byte[] buf = new byte[8192];
            while (true) {
                List<Raw> all = events(got.toByteArray());
                for (int i = used; i < all.size(); i++) {
                    if (p.test(all.get(i))) {
                        List<Raw> out = new ArrayList<>(all.subList(used, i + 1));
                        used = i + 1;
                        return out;
                    }
                }
                int n = in.read(buf);
                assertThat(n).as("stream ended first").isPositive();
                got.write(buf, 0, n);
            }
        }

        static byte[] get(TestServer kiln, String target, String lastEventId, int max) throws IOException {
            try (Socket s = open(kiln, target, lastEventId)) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                InputStream in = s.getInputStream();
                byte[] buf = new byte[8192];
                int n;
                while (out.size() < max && (n = in.read(buf, 0, Math.min(buf.length, max - out.size()))) > 0) {
                    out.write(buf, 0, n);
                }
                return out.toByteArray();
            }
        }

        private static Socket open(TestServer kiln, String target, String lastEventId) throws IOException {
            Socket s = new Socket("127.0.0.1", kiln.server.port());
            s.setSoTimeout(20_000);
            String head = "GET " + target + " HTTP/1.0\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                    + "Authorization: Bearer " + kiln.server.adminToken() + "\r\n"
                    + (lastEventId == null ? "" : "Last-Event-ID: " + lastEventId + "\r\n") + "\r\n";
            s.getOutputStream().write(head.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            return s;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
