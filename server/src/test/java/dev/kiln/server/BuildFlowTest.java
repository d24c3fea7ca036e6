package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kiln.agent.client.ApiClient;
import dev.kiln.agent.client.BuildWatcher;
import dev.kiln.server.support.TestServer;
import dev.kiln.spec.api.BuildView;
import dev.kiln.spec.protocol.Status;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Builds submitted to a real server with its embedded agent, running real processes. */
class BuildFlowTest {
    @TempDir Path tmp;
    TestServer kiln;

    @BeforeEach
    void start() throws Exception {
        kiln = TestServer.start(tmp.resolve("data"));
    }

    @AfterEach
    void stop() {
        kiln.close();
    }

    @Test
    void a_build_runs_parallel_steps_with_substitutions_and_allowed_failures() throws Exception {
        Path repo = TestServer.repo(tmp.resolve("repo"), Map.of("build.yaml", """
                substitutions:
                  _GREETING: hello
                steps:
                  - id: a
                    waitFor: ['-']
                    script: |
                      echo "a says $_GREETING from $BUILD_ID" > a.txt
                      cat a.txt
                  - id: b
                    waitFor: ['-']
                    args: [sh, -c, 'echo b sees ${_GREETING}; exit 3']
                    allowFailure: true
                  - id: c
                    waitFor: [a, b]
                    args: [cat, a.txt]
                """, "data.csv", "x,y\n"));
        BuildView created = kiln.submit(repo, Map.of("_GREETING", "bonjour"));
        BuildView end = kiln.awaitEnd(created.id(), Duration.ofSeconds(20));

        assertThat(end.status()).isEqualTo(Status.SUCCESS);
        assertThat(end.steps()).extracting(s -> s.status()).containsExactly(Status.SUCCESS, Status.FAILURE, Status.SUCCESS);
        assertThat(end.steps().get(1).exitCode()).isEqualTo(3);
        assertThat(kiln.logText(end.id(), 0)).isEqualTo("a says bonjour from " + end.id() + "\n");
        assertThat(kiln.logText(end.id(), 1)).isEqualTo("b sees bonjour\n");
        assertThat(kiln.logText(end.id(), 2)).isEqualTo("a says bonjour from " + end.id() + "\n");
        assertThat(end.startTime()).isNotNull();
        assertThat(end.finishTime()).isAfterOrEqualTo(end.startTime());
        assertThat(end.steps().get(2).startTime()).isAfterOrEqualTo(end.steps().get(0).finishTime());
    }

    @Test
    void a_failing_step_fails_the_build_and_later_steps_are_skipped() throws Exception {
        Path repo = TestServer.repo(tmp.resolve("repo"), Map.of("build.yaml", """
                steps:
                  - id: test
                    args: [sh, -c, 'echo boom >&2; exit 1']
                  - id: deploy
                    args: ['true']
                """));
        BuildView end = kiln.awaitEnd(kiln.submit(repo).id(), Duration.ofSeconds(20));

        assertThat(end.status()).isEqualTo(Status.FAILURE);
        assertThat(end.statusDetail()).isEqualTo("build step 0 \"test\" failed: step exited with non-zero status: 1");
        assertThat(end.steps()).extracting(s -> s.status()).containsExactly(Status.FAILURE, Status.SKIPPED);
        assertThat(kiln.logText(end.id(), 0)).isEqualTo("boom\n");
    }

    @Test
    void allow_exit_codes_lets_the_build_go_on_only_for_those_codes() throws Exception {
        Path repo = TestServer.repo(tmp.resolve("repo"), Map.of("build.yaml", """
                steps:
                  - id: lint
                    args: [sh, -c, 'exit 5']
                    allowExitCodes: [5]
                  - id: other
                    args: [sh, -c, 'exit 6']
                    allowExitCodes: [5]
                """));
        BuildView end = kiln.awaitEnd(kiln.submit(repo).id(), Duration.ofSeconds(20));

        assertThat(end.status()).isEqualTo(Status.FAILURE);
        assertThat(end.steps()).extracting(s -> s.exitCode()).containsExactly(5, 6);
        assertThat(end.statusDetail()).isEqualTo("build step 1 \"other\" failed: step exited with non-zero status: 6");
    }

    @Test
    void a_bad_config_is_refused_with_file_line_and_column_and_no_build_is_created() throws Exception {
        Path repo = TestServer.repo(tmp.resolve("repo"), Map.of("build.yaml", """
                steps:
                  - id: train
                    args: ['true']
                    waitFor: [prep]
                  - id: eval
                    argz: ['true']
                """));
        assertThatThrownBy(() -> kiln.submit(repo))
                .isInstanceOfSatisfying(ApiClient.ApiException.class, e -> assertThat(e.error().problems())
                        .anySatisfy(p -> assertThat(p).startsWith("build.yaml:4:15: ").contains("unknown step 'prep'"))
                        .anySatisfy(p -> assertThat(p).startsWith("build.yaml:6:5: ").contains("did you mean 'args'")));
        assertThat(kiln.api.list(10)).isEmpty();
    }

    @Test
    void a_step_that_never_ends_is_killed_with_its_children_at_its_timeout() throws Exception {
        String marker = "4242" + ProcessHandle.current().pid();
        Path repo = TestServer.repo(tmp.resolve("repo"), Map.of("build.yaml", """
                steps:
                  - id: hang
                    timeout: 1s
                    script: |
                      sleep %s &
                      sh -c 'sleep %s'
                """.formatted(marker, marker)));
        long t0 = System.nanoTime();
        BuildView end = kiln.awaitEnd(kiln.submit(repo).id(), Duration.ofSeconds(15));

        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(8));
        assertThat(end.status()).isEqualTo(Status.TIMEOUT);
        assertThat(end.steps().get(0).status()).isEqualTo(Status.TIMEOUT);
        assertThat(kiln.logText(end.id(), 0)).contains("[kiln] step timed out after 1s");
        await().atMost(Duration.ofSeconds(5)).until(() -> ProcessHandle.allProcesses()
                .noneMatch(p -> p.info().commandLine().orElse("").contains("sleep " + marker)));
    }

    @Test
    void the_build_timeout_ends_a_build_as_timeout() throws Exception {
        Path repo = TestServer.repo(tmp.resolve("repo"), Map.of("build.yaml", """
                timeout: 1s
                steps:
                  - args: [sleep, '30']
                """));
        BuildView end = kiln.awaitEnd(kiln.submit(repo).id(), Duration.ofSeconds(15));
        assertThat(end.status()).isEqualTo(Status.TIMEOUT);
        assertThat(end.statusDetail()).contains("build timed out after 1s");
    }

    @Test
    void cancelling_a_running_build_kills_its_steps() throws Exception {
        Path repo = TestServer.repo(tmp.resolve("repo"), Map.of("build.yaml", """
                steps:
                  - id: long
                    script: |
                      echo started
                      sleep 60
                """));
        BuildView b = kiln.submit(repo);
        await().atMost(Duration.ofSeconds(10)).until(() -> kiln.logText(b.id(), 0).contains("started"));
        long t0 = System.nanoTime();
        kiln.api.cancel(b.id());
        BuildView end = kiln.awaitEnd(b.id(), Duration.ofSeconds(10));

        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
        assertThat(end.status()).isEqualTo(Status.CANCELLED);
        assertThat(end.steps().get(0).status()).isEqualTo(Status.CANCELLED);
    }

    @Test
    void binary_garbage_is_stored_byte_for_byte_and_streamed_as_text() throws Exception {
        Path repo = TestServer.repo(tmp.resolve("repo"), Map.of("build.yaml", """
                steps:
                  - args: [head, -c, '100000', /dev/urandom]
                  - args: [printf, 'ok \\033[31mred\\033[0m\\r\\n']
                """));
        BuildView end = kiln.awaitEnd(kiln.submit(repo).id(), Duration.ofSeconds(20));
        assertThat(end.status()).isEqualTo(Status.SUCCESS);
        assertThat(kiln.log(end.id(), 0)).hasSize(100_000);
        assertThat(kiln.logText(end.id(), 1)).isEqualTo("ok \033[31mred\033[0m\r\n");

        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        new BuildWatcher(kiln.api, new PrintStream(printed, true, StandardCharsets.UTF_8)).follow(end.id());
        String out = printed.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("Starting Step #0", "Finished Step #0", "Step #1: ok \033[31mred\033[0m\r");
    }

    @Test
    void a_line_of_50_mb_is_split_into_1_mib_lines_and_nothing_is_lost() throws Exception {
        Path repo = TestServer.repo(tmp.resolve("repo"), Map.of("build.yaml", """
                steps:
                  - script: |
                      head -c 52428800 /dev/zero | tr '\\0' 'x'
                      echo
                      echo end
                """));
        BuildView end = kiln.awaitEnd(kiln.submit(repo).id(), Duration.ofSeconds(60));
        assertThat(end.status()).isEqualTo(Status.SUCCESS);
        byte[] log = kiln.log(end.id(), 0);
        long newlines = 0;
        long xs = 0;
        int line = 0;
        int longest = 0;
        for (byte b : log) {
            if (b == '\n') {
                newlines++;
                longest = Math.max(longest, line);
                line = 0;
            } else {
                line++;
                if (b == 'x') {
                    xs++;
                }
            }
        }
        assertThat(xs).isEqualTo(52_428_800L);
        assertThat(longest).isEqualTo(1 << 20);
        // 49 splits inserted; the 50th MiB ends on the echo's own newline, so it needs none; then "end".
        assertThat(newlines).isEqualTo(49 + 1 + 1);
        assertThat(new String(log, log.length - 4, 4, StandardCharsets.US_ASCII)).isEqualTo("end\n");
    }

    @Test
    void a_build_is_retried_from_the_same_source() throws Exception {
        Path repo = TestServer.repo(tmp.resolve("repo"), Map.of("build.yaml", """
                steps:
                  - args: [cat, data.txt]
                """, "data.txt", "v1\n"));
        BuildView first = kiln.awaitEnd(kiln.submit(repo).id(), Duration.ofSeconds(20));
        Files.writeString(repo.resolve("data.txt"), "v2\n");
        BuildView again = kiln.api.retry(first.id());
        BuildView end = kiln.awaitEnd(again.id(), Duration.ofSeconds(20));

        assertThat(end.retryOf()).isEqualTo(first.id());
        assertThat(kiln.logText(end.id(), 0)).isEqualTo("v1\n");
    }

    @Test
    void a_build_waiting_longer_than_its_queue_ttl_expires() throws Exception {
        kiln.close();
        kiln = TestServer.start(KilnServer.Config.defaults(tmp.resolve("data2")).withPort(0).withLocalAgent(false)
                .withLease(Duration.ofSeconds(3), Duration.ofMillis(500)));
        Path repo = TestServer.repo(tmp.resolve("repo"), Map.of("build.yaml", """
                queueTtl: 1s
                steps:
                  - args: ['true']
                """));
        BuildView end = kiln.awaitEnd(kiln.submit(repo).id(), Duration.ofSeconds(10));
        assertThat(end.status()).isEqualTo(Status.EXPIRED);
        assertThat(end.steps().get(0).status()).isEqualTo(Status.SKIPPED);
    }

    @Test
    void stopping_the_server_ends_the_builds_of_its_embedded_agent_clearly() throws Exception {
        Path repo = TestServer.repo(tmp.resolve("repo"), Map.of("build.yaml", """
                steps:
                  - script: |
                      echo running
                      sleep 60
                """));
        BuildView b = kiln.submit(repo);
        await().atMost(Duration.ofSeconds(10)).until(() -> kiln.logText(b.id(), 0).contains("running"));
        kiln.close();

        kiln = TestServer.start(KilnServer.Config.defaults(tmp.resolve("data")).withPort(0).withLocalAgent(false)
                .withLease(Duration.ofSeconds(3), Duration.ofMillis(500)));
        BuildView end = kiln.api.get(b.id());
        assertThat(end.status()).isEqualTo(Status.INTERNAL_ERROR);
        assertThat(end.statusDetail()).isEqualTo("server stopped during the build");
        assertThat(kiln.logText(b.id(), 0)).isEqualTo("running\n\n[kiln] server stopped during the build\n");
    }

    @Test
    void a_build_whose_agent_vanishes_before_running_anything_is_queued_again() throws Exception {
        kiln.close();
        kiln = TestServer.start(KilnServer.Config.defaults(tmp.resolve("data2")).withPort(0).withLocalAgent(false)
                .withLease(Duration.ofSeconds(2), Duration.ofMillis(500)));
        Path repo = TestServer.repo(tmp.resolve("repo"), Map.of("build.yaml", "steps:\n  - args: ['true']\n"));
        BuildView b = kiln.submit(repo);
        var request = new dev.kiln.spec.protocol.LeaseRequest(dev.kiln.spec.protocol.LeaseRequest.PROTOCOL, "vanishing",
                "host", java.util.List.of());
        // A real HTTP agent client that takes the lease and is never heard of again, as if killed right after.
        var first = new dev.kiln.agent.http.HttpAgentApi(kiln.server.url(), kiln.server.agentToken())
                .lease(request, Duration.ofSeconds(5));
        assertThat(first).hasValueSatisfying(l -> assertThat(l.buildId()).isEqualTo(b.id()));
        assertThat(kiln.api.get(b.id()).status()).isEqualTo(Status.WORKING);

        await().atMost(Duration.ofSeconds(10)).until(() -> kiln.api.get(b.id()).status() == Status.QUEUED);
        var second = new dev.kiln.agent.http.HttpAgentApi(kiln.server.url(), kiln.server.agentToken())
                .lease(new dev.kiln.spec.protocol.LeaseRequest(dev.kiln.spec.protocol.LeaseRequest.PROTOCOL, "next",
                        "host", java.util.List.of()), Duration.ofSeconds(5));
        assertThat(second).hasValueSatisfying(l -> assertThat(l.buildId()).isEqualTo(b.id()));
    }
}
