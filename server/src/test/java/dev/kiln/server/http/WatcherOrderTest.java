package dev.kiln.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiln.agent.client.BuildWatcher;
import dev.kiln.server.support.KilnProcess;
import dev.kiln.server.support.TestServer;
import dev.kiln.spec.api.BuildView;
import dev.kiln.spec.protocol.Status;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code kiln submit} and {@code kiln builds log} print: each step's {@code Finished} line after
 * its last byte (a last line without a newline too), lines of concurrent steps whole, the status line
 * last, and the log written in large pieces rather than a flush per line.
 */
@Timeout(120)
class WatcherOrderTest {
    @TempDir Path tmp;
    TestServer kiln;
    Path gates;

    @BeforeEach
    void start() throws Exception {
        TestServer.reachable(tmp);
        gates = TestServer.reachable(Files.createDirectories(tmp.resolve("gates")));
        kiln = TestServer.start(tmp.resolve("data"));
    }

    @AfterEach
    void stop() {
        kiln.close();
    }

    @Test
    void a_watcher_joining_mid_build_prints_the_ended_step_whole_and_finished_before_the_next_steps_lines() throws Exception {
        try (Gate gate = new Gate(gates, "hold")) {
            String id = submit("""
                    steps:
                      - id: zero
                        args: [printf, 'first\\nno newline at the end']
                      - id: one
                        script: |
                          echo 'one says'
                          cat "${_GATE}"
                    """, Map.of("_GATE", gate.path.toString()));
            await().atMost(Duration.ofSeconds(30)).until(() -> kiln.api.get(id).steps().get(1).logSize() == 9);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            CompletableFuture<BuildView> end = CompletableFuture.supplyAsync(() -> follow(id, new PrintStream(bytes, true)));
            gate.write("then this\n");
            // Closed only once cat has read it: a pipe closed before its reader opens it loses what it held.
            await().atMost(Duration.ofSeconds(30)).until(() -> kiln.api.get(id).steps().get(1).logSize() == 19);
            gate.close();

            assertThat(end.get(30, TimeUnit.SECONDS).status()).isEqualTo(Status.SUCCESS);
            assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo("""
                    Starting Step #0 - "zero"
                    Step #0 - "zero": first
                    Step #0 - "zero": no newline at the end
                    Finished Step #0 - "zero"
                    Starting Step #1 - "one"
                    Step #1 - "one": one says
                    Step #1 - "one": then this
                    Finished Step #1 - "one"
                    """);
        }
    }

    @Test
    void lines_of_steps_running_at_once_are_printed_whole_each_after_its_own_prefix() throws Exception {
        try (Gate a = new Gate(gates, "a"); Gate b = new Gate(gates, "b")) {
            String id = submit("""
                    steps:
                      - id: a
                        waitFor: ['-']
                        args: [cat, '${_A}']
                      - id: b
                        waitFor: ['-']
                        args: [cat, '${_B}']
                    """, Map.of("_A", a.path.toString(), "_B", b.path.toString()));
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            CompletableFuture<BuildView> end = CompletableFuture.supplyAsync(() -> follow(id, new PrintStream(bytes, true)));
            // a's line comes in two pieces with all of b's line between them.
            a.write("a starts ");
            await().atMost(Duration.ofSeconds(30)).until(() -> kiln.api.get(id).steps().get(0).logSize() == 9);
            b.write("b whole\n");
            await().atMost(Duration.ofSeconds(30)).until(() -> kiln.api.get(id).steps().get(1).logSize() == 8);
            a.write("and ends\n");
            a.close();
            b.write("b last");
            b.close();

            assertThat(end.get(30, TimeUnit.SECONDS).status()).isEqualTo(Status.SUCCESS);
            String out = bytes.toString(StandardCharsets.UTF_8);
            assertThat(out).contains("Step #0 - \"a\": a starts and ends\n", "Step #1 - \"b\": b whole\n",
                    "Step #1 - \"b\": b last\nFinished Step #1 - \"b\"\n");
            assertThat(out.indexOf("Step #0 - \"a\": a starts and ends\n")).isLessThan(out.indexOf("Finished Step #0"));
            assertThat(out.lines().filter(l -> !l.startsWith("Step #") && !l.startsWith("Starting") && !l.startsWith("Finished")))
                    .as("every line is a step's or Kiln's own").isEmpty();
        }
    }

    @Test
    void a_long_log_reaches_the_output_in_a_few_large_writes_not_one_per_line() throws Exception {
        String id = submit("steps:\n  - script: seq 1 100000\n", Map.of());
        kiln.awaitEnd(id, Duration.ofSeconds(30));
        AtomicInteger writes = new AtomicInteger();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        OutputStream counting = new OutputStream() {
            @Override
            public void write(int b) {
                writes.incrementAndGet();
                bytes.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                writes.incrementAndGet();
                bytes.write(b, off, len);
            }
        };
        follow(id, new PrintStream(counting, true));

        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(out).startsWith("Starting Step #0\nStep #0: 1\nStep #0: 2\n").endsWith("Step #0: 100000\nFinished Step #0\n");
        assertThat(out.lines().count()).isEqualTo(100_002);
        assertThat(writes.get()).as("writes for 100,000 lines").isLessThan(50);
    }

    @Test
    void builds_log_stream_ends_with_the_builds_status_and_builds_log_prints_a_last_line_without_newline() throws Exception {
        String id = submit("steps:\n  - args: [printf, 'one\\ntwo']\n  - args: ['false']\n", Map.of());
        kiln.awaitEnd(id, Duration.ofSeconds(30));
        String[] server = {"--server", kiln.server.url(), "--token", kiln.server.adminToken()};

        KilnProcess stream = KilnProcess.start(tmp, "builds", "log", id, "--stream", server[0], server[1], server[2], server[3]);
        assertThat(stream.awaitExit(Duration.ofSeconds(30))).as(stream.output()).isEqualTo(1);
        assertThat(stream.output()).isEqualTo("""
                Starting Step #0
                Step #0: one
                Step #0: two
                Finished Step #0
                Starting Step #1
                Finished Step #1
                ------------------------------------------------------------------------------------------------
                ERROR: build FAILURE: step 1 failed: exit code 1
                """.replace("step 1 failed: exit code 1", kiln.api.get(id).statusDetail()));

        KilnProcess log = KilnProcess.start(tmp, "builds", "log", id, server[0], server[1], server[2], server[3]);
        assertThat(log.awaitExit(Duration.ofSeconds(30))).as(log.output()).isZero();
        assertThat(log.output()).isEqualTo("Step #0: one\nStep #0: two\n");
    }

    private BuildView follow(String id, PrintStream out) {
        try {
            return new BuildWatcher(kiln.api, out).follow(id);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private String submit(String yaml, Map<String, String> subs) throws Exception {
        Path repo = TestServer.repo(Files.createTempDirectory(tmp, "repo"), Map.of("build.yaml", yaml));
        return kiln.submit(repo, subs).id();
    }
}
