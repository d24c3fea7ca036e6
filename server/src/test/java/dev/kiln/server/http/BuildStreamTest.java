package dev.kiln.server.http;

import static dev.kiln.server.http.BuildStream.completeUtf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.spec.json.Json;
import dev.kiln.agent.client.ApiClient;
import dev.kiln.server.support.TestServer;
import dev.kiln.spec.api.BuildView;
import dev.kiln.spec.protocol.Status;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A build's server-sent events: {@code completeUtf8} on its own, then the stream end to end through a
 * real server whose embedded agent runs real steps. Steps that must print on cue read a named pipe
 * the test writes to, so the test decides what a step prints and when.
 */
class BuildStreamTest {

    @Nested
    @Timeout(120)
    class EndToEnd {
        @TempDir Path tmp;
        TestServer kiln;
        Path gates;

        @BeforeEach
        void start() throws Exception {
            // Steps run as the build user when the tests run as root: it must reach the pipes.
            TestServer.reachable(tmp);
            gates = TestServer.reachable(Files.createDirectories(tmp.resolve("gates")));
            kiln = TestServer.start(tmp.resolve("data"));
        }

        @AfterEach
        void stop() {
            kiln.close();
        }

        @Test
        void a_live_build_streams_its_log_whole_and_in_order_and_ends_once_after_its_final_status() throws Exception {
            try (Gate gate = new Gate(gates, "talk")) {
                String id = submit("""
                        steps:
                          - id: talk
                            args: [cat, '${_GATE}']
                        """, Map.of("_GATE", gate.path.toString()));
                try (Sse sse = new Sse(kiln.api, id, 0)) {
                    List<Event> seen = new ArrayList<>();
                    gate.write("first line\n");
                    sse.readUntil(seen, 0, "first line\n");
                    assertThat(kiln.api.get(id).status()).as("the log came while the build ran").isEqualTo(Status.WORKING);

                    gate.write("second line\nthird ");
                    sse.readUntil(seen, 0, "first line\nsecond line\nthird ");
                    gate.write("line\n");
                    gate.close();
                    seen.addAll(sse.rest());

                    String all = "first line\nsecond line\nthird line\n";
                    assertThat(text(seen, 0, 0)).isEqualTo(all);
                    assertThat(kiln.logText(id, 0)).isEqualTo(all);
                    assertEndsOnceAfterFinalStatus(seen, Status.SUCCESS);
                    assertThat(view(last(seen)).steps().get(0).logSize()).isEqualTo(all.length());
                }
            }
        }

        @Test
        void resuming_with_offsets_sends_each_step_from_its_own_offset_with_no_byte_twice_and_none_lost() throws Exception {
            try (Gate gate = new Gate(gates, "second")) {
                String id = submit("""
                        steps:
                          - id: first
                            args: [printf, 'alpha\\nbeta\\ngamma\\n']
                          - id: second
                            args: [cat, '${_GATE}']
                        """, Map.of("_GATE", gate.path.toString()));
                List<Event> before = new ArrayList<>();
                try (Sse sse = new Sse(kiln.api, id, 0, 0)) {
                    gate.write("one\n");
                    sse.readUntil(before, 1, "one\n");
                }
                assertThat(text(before, 0, 0)).isEqualTo("alpha\nbeta\ngamma\n");
                long[] resume = {6, next(before, 1)};
                assertThat(resume[1]).isEqualTo(4);

                // Written while no one follows: it must come with the resumed stream, once.
                gate.write("two\n");
                await().atMost(Duration.ofSeconds(10)).until(() -> kiln.api.get(id).steps().get(1).logSize() == 8);
                try (Sse sse = new Sse(kiln.api, id, resume)) {
                    List<Event> after = new ArrayList<>();
                    sse.readUntil(after, 1, "two\n");
                    gate.write("three\n");
                    gate.close();
                    after.addAll(sse.rest());

                    assertThat(text(after, 0, 6)).isEqualTo("beta\ngamma\n");
                    assertThat(text(after, 1, 4)).isEqualTo("two\nthree\n");
                    assertThat(kiln.logText(id, 1)).isEqualTo("one\ntwo\nthree\n");
                    assertEndsOnceAfterFinalStatus(after, Status.SUCCESS);
                }
            }
        }

        @Test
        void a_character_a_running_step_prints_in_two_pieces_reaches_a_live_follower_whole() throws Exception {
            try (Gate gate = new Gate(gates, "split")) {
                String id = submit("steps:\n  - args: [cat, '${_GATE}']\n", Map.of("_GATE", gate.path.toString()));
                try (Sse sse = new Sse(kiln.api, id, 0)) {
                    List<Event> seen = new ArrayList<>();
                    // One write, so one chunk reaches the server: a line, then the first byte of "é".
                    gate.write(concat(utf8("a\n"), bytes(0xC3)));
                    Event first = sse.next();
                    while (!first.name().equals("log")) {
                        seen.add(first);
                        first = sse.next();
                    }
                    seen.add(first);
                    // The stream has read the log while it ended inside the character; now its last byte.
                    gate.write(concat(bytes(0xA9), utf8("\n")));
                    gate.close();
                    seen.addAll(sse.rest());

                    assertThat(text(seen, 0, 0)).isEqualTo("a\né\n");
                    assertThat(seen).extracting(Event::data).noneMatch(d -> d.contains("\uFFFD"));
                    assertEndsOnceAfterFinalStatus(seen, Status.SUCCESS);
                }
            }
        }

        @Test
        void a_step_that_ends_inside_a_character_still_sends_every_byte_before_end() throws Exception {
            try (Gate gate = new Gate(gates, "cut")) {
                String id = submit("steps:\n  - args: [cat, '${_GATE}']\n", Map.of("_GATE", gate.path.toString()));
                try (Sse sse = new Sse(kiln.api, id, 0)) {
                    gate.write(concat(utf8("last words "), bytes(0xE2, 0x82)));
                    await().atMost(Duration.ofSeconds(10)).until(() -> kiln.api.get(id).steps().get(0).logSize() == 13);
                    gate.close();
                    List<Event> seen = sse.rest();

                    // The broken character can only be shown as a replacement, but its bytes are not held back.
                    List<JsonNode> logs = logEvents(seen, 0);
                    assertThat(logs.get(logs.size() - 1).get("next").asLong()).isEqualTo(13);
                    assertThat(logs.stream().map(n -> n.get("text").asText()).collect(Collectors.joining()))
                            .startsWith("last words ").endsWith("\uFFFD");
                    assertEndsOnceAfterFinalStatus(seen, Status.SUCCESS);
                }
            }
        }

        @Test
        void a_build_that_ends_while_its_stream_is_busy_sending_gets_its_end_at_once() throws Exception {
            int size = 32 << 20;
            try (Gate gate = new Gate(gates, "busy")) {
                String id = submit("""
                        steps:
                          - script: |
                              yes 'a line of log that its follower is slow to take' | head -c %d
                              cat "${_GATE}"
                        """.formatted(size), Map.of("_GATE", gate.path.toString()));
                gate.write("!");
                await().atMost(Duration.ofSeconds(60)).until(() -> kiln.api.get(id).steps().get(0).logSize() == size + 1);
                try (Sse sse = new Sse(kiln.api, id, 0)) {
                    // Nothing is read yet: the stream fills the connection and waits in the middle of sending
                    // the log, having seen the build running. The build ends meanwhile.
                    await().atMost(Duration.ofSeconds(30)).until(() -> sendingLogsAndWaiting("kiln-sse-" + id));
                    gate.close();
                    assertThat(kiln.awaitEnd(id, Duration.ofSeconds(20)).status()).isEqualTo(Status.SUCCESS);

                    List<Event> seen = sse.rest();

                    assertThat(text(seen, 0, 0)).hasSize(size + 1).endsWith("!");
                    assertThat(seen.stream().map(Event::name).filter(n -> !n.equals("log")))
                            .as("end came once the log was out, not after a keepalive's wait").doesNotContain(":");
                    assertEndsOnceAfterFinalStatus(seen, Status.SUCCESS);
                }
            }
        }

        @Test
        void a_finished_build_resumed_at_the_end_of_every_log_sends_its_steps_its_state_and_end_and_no_log() throws Exception {
            String id = submit("steps:\n  - args: [printf, 'done\\n']\n  - args: [printf, 'also\\n']\n", Map.of());
            kiln.awaitEnd(id, Duration.ofSeconds(20));

            try (Sse sse = new Sse(kiln.api, id, 5, 5)) {
                List<Event> seen = sse.rest();

                assertThat(seen).extracting(Event::name).containsExactly("step", "step", "build", "end");
                assertThat(view(seen.get(1)).status()).isEqualTo(Status.SUCCESS);
            }
        }

        @Test
        void characters_cut_by_the_chunk_boundary_arrive_whole() throws Exception {
            // Each step's log has a character whose bytes straddle the end of the first chunk the stream reads.
            List<String> cases = List.of("é:1", "€:1", "€:2", "😀:1", "😀:2", "😀:3");
            Map<String, String> files = new LinkedHashMap<>();
            StringBuilder yaml = new StringBuilder("steps:\n");
            List<String> logs = new ArrayList<>();
            for (int i = 0; i < cases.size(); i++) {
                String c = cases.get(i).split(":")[0];
                int before = Integer.parseInt(cases.get(i).split(":")[1]);
                String log = lines(BuildStream.CHUNK - before) + c + " and after\n";
                logs.add(log);
                files.put("log" + i + ".txt", log);
                yaml.append("  - args: [cat, log").append(i).append(".txt]\n");
            }
            files.put("build.yaml", yaml.toString());
            BuildView b = kiln.submit(TestServer.repo(tmp.resolve("repo"), files));
            kiln.awaitEnd(b.id(), Duration.ofSeconds(30));

            try (Sse sse = new Sse(kiln.api, b.id(), new long[cases.size()])) {
                List<Event> seen = sse.rest();

                for (int i = 0; i < cases.size(); i++) {
                    assertThat(logEvents(seen, i)).as(cases.get(i)).hasSizeGreaterThan(1);
                    assertThat(text(seen, i, 0)).as(cases.get(i)).isEqualTo(logs.get(i));
                }
                assertThat(seen).extracting(Event::data).noneMatch(d -> d.contains("\uFFFD") || d.contains("\\uFFFD"));
                assertEndsOnceAfterFinalStatus(seen, Status.SUCCESS);
            }
        }

        @Test
        void the_stream_of_a_build_that_does_not_exist_is_a_404_like_the_other_routes() {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Sse(kiln.api, "no-such-build"))
                    .isInstanceOfSatisfying(ApiClient.ApiException.class, e -> {
                        assertThat(e.error().status()).isEqualTo(404);
                        assertThat(e.getMessage()).isEqualTo("no build no-such-build");
                    });
        }

        private String submit(String buildYaml, Map<String, String> subs) throws Exception {
            Path repo = TestServer.repo(Files.createTempDirectory(tmp, "repo"), Map.of("build.yaml", buildYaml));
            return kiln.submit(repo, subs).id();
        }
    }

    /** Whether the named stream thread is inside {@code sendLog}, waiting for its client to take more. */
    static boolean sendingLogsAndWaiting(String threadName) {
        for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
            Thread.State state = e.getKey().getState();
            if (e.getKey().getName().equals(threadName)
                    && (state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING)
                    && Arrays.stream(e.getValue()).anyMatch(f -> f.getClassName().equals(BuildStream.class.getName())
                            && f.getMethodName().equals("sendLog"))) {
                return true;
            }
        }
        return false;
    }

    /** Checks what a user sees at the end: one {@code end}, last, after a {@code build} event with the final status. */
    static void assertEndsOnceAfterFinalStatus(List<Event> seen, Status status) {
        assertThat(seen).extracting(Event::name).containsOnlyOnce("end");
        assertThat(last(seen).name()).isEqualTo("end");
        assertThat(view(last(seen)).status()).isEqualTo(status);
        Event before = seen.get(seen.size() - 2);
        assertThat(before.name()).isEqualTo("build");
        assertThat(view(before).status()).isEqualTo(status);
        assertThat(seen.stream().filter(e -> e.name().equals("build")).map(e -> view(e).status()))
                .as("the final status comes once, in the last build event").containsOnlyOnce(status);
    }

    /** The {@code log} events of one step. */
    static List<JsonNode> logEvents(List<Event> seen, int step) {
        return seen.stream().filter(e -> e.name().equals("log")).map(Event::json)
                .filter(n -> n.get("step").asInt() == step).toList();
    }

    /**
     * One step's text from its {@code log} events, after checking that they start at {@code from}
     * and that each starts where the one before it ended: no byte twice, none skipped.
     */
    static String text(List<Event> seen, int step, long from) {
        StringBuilder text = new StringBuilder();
        long at = from;
        for (JsonNode n : logEvents(seen, step)) {
            assertThat(n.get("offset").asLong()).as("offset of a log event of step %d", step).isEqualTo(at);
            assertThat(n.get("next").asLong()).isGreaterThan(at);
            at = n.get("next").asLong();
            text.append(n.get("text").asText());
        }
        assertThat((long) text.toString().getBytes(StandardCharsets.UTF_8).length).as("bytes of step %d", step)
                .isEqualTo(at - from);
        return text.toString();
    }

    static long next(List<Event> seen, int step) {
        List<JsonNode> logs = logEvents(seen, step);
        return logs.isEmpty() ? 0 : logs.get(logs.size() - 1).get("next").asLong();
    }

    static Event last(List<Event> seen) {
        assertThat(seen).isNotEmpty();
        return seen.get(seen.size() - 1);
    }

    static BuildView view(Event e) {
        try {
            return Json.MAPPER.readValue(e.data(), BuildView.class);
        } catch (IOException x) {
            throw new AssertionError("not a build: " + e.data(), x);
        }
    }

    /** Numbered lines of ASCII, exactly {@code size} bytes. */
    static String lines(int size) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; b.length() < size; i++) {
            b.append("line ").append(i).append(" of the padding\n");
        }
        b.setLength(size);
        return b.toString();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.write(p, 0, p.length);
        }
        return out.toByteArray();
    }

    /** One server-sent event; a comment line ({@code : keepalive}) comes as an event named {@code ":"}. */
    record Event(String name, String data) {
        JsonNode json() {
            try {
                return Json.MAPPER.readTree(data);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + data, e);
            }
        }
    }

}
