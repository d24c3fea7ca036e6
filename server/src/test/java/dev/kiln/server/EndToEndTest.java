package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiln.agent.client.ApiClient;
import dev.kiln.server.support.KilnProcess;
import dev.kiln.server.support.TestServer;
import dev.kiln.spec.api.BuildView;
import dev.kiln.spec.protocol.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Server, agent and CLI each in a real JVM of their own, talking HTTP, as users run them. */
class EndToEndTest {
    private static final String LISTENING = "Kiln server listening on (http://\\S+)";
    @TempDir Path tmp;
    /** A sleep length no other process on the machine uses: it marks this test's own steps, which it alone may kill. */
    final String sleep = "120." + java.util.concurrent.ThreadLocalRandom.current().nextInt(100_000_000, 999_999_999);

    @BeforeEach
    void letTheBuildUserIn() throws Exception {
        // Agents run as root give their steps to the build user, who must be able to enter the work directory.
        TestServer.reachable(tmp);
    }

    private KilnProcess server(Path data, String... extra) throws Exception {
        String[] args = new String[8 + extra.length];
        System.arraycopy(new String[] {"server", "--port", "0", "--data-dir", data.toString(), "--lease-timeout", "3s",
                "--heartbeat=500ms"}, 0, args, 0, 8);
        System.arraycopy(extra, 0, args, 8, extra.length);
        return KilnProcess.start(tmp, args);
    }

    @Test
    void submit_through_a_remote_agent_streams_the_log_and_exits_with_the_result() throws Exception {
        Path data = tmp.resolve("data");
        try (KilnProcess server = server(data, "--no-local-agent")) {
            String url = server.awaitLine(LISTENING, Duration.ofSeconds(30));
            String tokenFile = server.awaitLine("Agent token: in (\\S+)", Duration.ofSeconds(5));
            try (KilnProcess agent = KilnProcess.start(tmp, "agent", "--server", url, "--token-file", tokenFile,
                    "--workdir", tmp.resolve("agent").toString())) {
                Path repo = TestServer.repo(tmp.resolve("repo"), Map.of(
                        "build.yaml", """
                                substitutions:
                                  _WHO: world
                                steps:
                                  - id: hello
                                    args: [sh, -c, 'echo hello $_WHO; cat kept.txt']
                                  - id: ignored
                                    args: [sh, -c, 'test ! -e secret.env && test ! -d build']
                                """,
                        "kept.txt", "kept\n",
                        ".gitignore", "build/\n",
                        ".kilnignore", "secret.env\n",
                        "secret.env", "TOKEN=x\n",
                        "build/out.bin", "junk"));
                KilnProcess submit = KilnProcess.start(tmp, "submit", repo.toString(), "--server", url,
                        "--substitutions", "_WHO=kiln");
                assertThat(submit.awaitExit(Duration.ofSeconds(60))).as(submit.output()).isZero();
                String out = submit.output();
                assertThat(out).contains("Creating temporary archive of 4 file(s)");
                assertThat(out).containsPattern("Created \\[" + url + "/builds/[0-9a-f-]{36}\\]\\.");
                assertThat(out).contains("Starting Step #0 - \"hello\"", "Step #0 - \"hello\": hello kiln",
                        "Step #0 - \"hello\": kept", "Finished Step #0 - \"hello\"", "Finished Step #1 - \"ignored\"", "DONE");
                assertThat(out).containsPattern("ID\\s+CREATE_TIME\\s+DURATION\\s+STATUS");
                assertThat(out).containsPattern("[0-9a-f-]{36}\\s+\\S+\\s+\\d+S\\s+SUCCESS");
                assertThat(out.indexOf("Step #0 - \"hello\": hello kiln")).isLessThan(out.indexOf("Finished Step #0"));

                // A bad config: refused locally with file:line:col, exit 2, and no build created.
                Path bad = TestServer.repo(tmp.resolve("bad"), Map.of("build.yaml", "steps:\n  - args: [x]\n    waitFor: [nope]\n"));
                KilnProcess refused = KilnProcess.start(tmp, "submit", bad.toString(), "--server", url);
                assertThat(refused.awaitExit(Duration.ofSeconds(30))).isEqualTo(2);
                assertThat(refused.output()).contains("build.yaml:3:15: step 'Step #0' waits for unknown step 'nope'");
                assertThat(TestServer.client(url, data).list(10)).hasSize(1);

                // A failing build exits 1.
                Path failing = TestServer.repo(tmp.resolve("failing"), Map.of("build.yaml", "steps:\n  - args: [sh, -c, 'exit 4']\n"));
                KilnProcess failed = KilnProcess.start(tmp, "submit", failing.toString(), "--server", url);
                assertThat(failed.awaitExit(Duration.ofSeconds(60))).isEqualTo(1);
                assertThat(failed.output()).contains("ERROR: build FAILURE");

                KilnProcess list = KilnProcess.start(tmp, "builds", "list", "--server", url);
                assertThat(list.awaitExit(Duration.ofSeconds(30))).isZero();
                assertThat(list.output()).contains("SUCCESS", "FAILURE");
            }
        }
    }

    @Test
    void an_agent_killed_mid_step_leaves_a_build_that_ends_internal_error_within_the_lease() throws Exception {
        Path data = tmp.resolve("data");
        try (KilnProcess server = server(data, "--no-local-agent")) {
            String url = server.awaitLine(LISTENING, Duration.ofSeconds(30));
            String tokenFile = server.awaitLine("Agent token: in (\\S+)", Duration.ofSeconds(5));
            ApiClient api = TestServer.client(url, data);
            KilnProcess agent = KilnProcess.start(tmp, "agent", "--server", url, "--token-file", tokenFile,
                    "--workdir", tmp.resolve("agent").toString());
            try {
                Path repo = TestServer.repo(tmp.resolve("repo"), Map.of("build.yaml", """
                        steps:
                          - id: train
                            script: |
                              echo epoch 1
                              sleep SLEEP
                        """.replace("SLEEP", sleep)));
                KilnProcess submit = KilnProcess.start(tmp, "submit", repo.toString(), "--server", url, "--async");
                assertThat(submit.awaitExit(Duration.ofSeconds(30))).isZero();
                String id = api.list(1).get(0).id();
                await().atMost(Duration.ofSeconds(30)).until(() -> api.get(id).steps().get(0).logSize() > 0);

                long killedAt = System.nanoTime();
                agent.kill9();
                await().atMost(Duration.ofSeconds(10)).until(() -> api.get(id).status().isFinal());
                Duration took = Duration.ofNanos(System.nanoTime() - killedAt);

                BuildView end = api.get(id);
                assertThat(end.status()).isEqualTo(Status.INTERNAL_ERROR);
                assertThat(end.statusDetail()).contains("agent lost");
                assertThat(end.steps().get(0).status()).isEqualTo(Status.INTERNAL_ERROR);
                assertThat(took).isLessThan(Duration.ofSeconds(3 + 2));
                String log = new String(api.log(id, 0).readAllBytes());
                assertThat(log).startsWith("epoch 1\n").contains("[kiln] agent lost");
                // The step died with its agent: nothing of it keeps burning a machine nobody owns.
                await().atMost(Duration.ofSeconds(5)).until(() -> stepProcesses().isEmpty());

                // A new agent on the same work directory first removes what its predecessor left.
                assertThat(tmp.resolve("agent/builds/" + id)).exists();
                agent = KilnProcess.start(tmp, "agent", "--server", url, "--token-file", tokenFile,
                        "--workdir", tmp.resolve("agent").toString());
                agent.awaitLine("pulling builds", Duration.ofSeconds(30));
                assertThat(tmp.resolve("agent/builds/" + id)).doesNotExist();
                KilnProcess second = KilnProcess.start(tmp, "agent", "--server", url, "--token-file", tokenFile,
                        "--workdir", tmp.resolve("agent").toString());
                assertThat(second.awaitExit(Duration.ofSeconds(30))).isEqualTo(2);
                assertThat(second.output()).contains("another kiln agent uses the work directory");
            } finally {
                agent.close();
                ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains("sleep " + sleep))
                        .forEach(ProcessHandle::destroyForcibly);
            }
        }
    }

    /** This test's step processes (marked by their sleep length), whoever runs them. */
    private List<ProcessHandle> stepProcesses() {
        return ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains("sleep " + sleep)).toList();
    }

    @Test
    void a_server_restarted_mid_build_keeps_finished_builds_and_ends_the_orphan_clearly() throws Exception {
        Path data = tmp.resolve("data");
        String done;
        String orphan;
        String justDone;
        KilnProcess helper = null;
        try (KilnProcess server = server(data)) {
            String url = server.awaitLine(LISTENING, Duration.ofSeconds(30));
            ApiClient api = TestServer.client(url, data);
            Path ok = TestServer.repo(tmp.resolve("ok"), Map.of("build.yaml", "steps:\n  - args: [echo, kept across restarts]\n"));
            KilnProcess first = KilnProcess.start(tmp, "submit", ok.toString(), "--server", url);
            assertThat(first.awaitExit(Duration.ofSeconds(60))).as(first.output()).isZero();
            done = api.list(1).get(0).id();

            Path slow = TestServer.repo(tmp.resolve("slow"), Map.of("build.yaml", "steps:\n  - script: |\n      echo working\n      sleep " + sleep + "\n"));
            KilnProcess second = KilnProcess.start(tmp, "submit", slow.toString(), "--server", url, "--async");
            assertThat(second.awaitExit(Duration.ofSeconds(30))).isZero();
            orphan = api.list(1).get(0).id();
            await().atMost(Duration.ofSeconds(30)).until(() -> api.get(orphan).status() == Status.WORKING
                    && api.get(orphan).steps().get(0).logSize() > 0);

            // A build that ends right before the crash must be remembered as ended: the kill comes at once.
            // The embedded agent is busy with the orphan, so a second agent runs it.
            String tokenFile = server.awaitLine("Agent token: in (\\S+)", Duration.ofSeconds(5));
            helper = KilnProcess.start(tmp, "agent", "--server", url, "--token-file", tokenFile,
                    "--workdir", tmp.resolve("agent").toString());
            Path quick = TestServer.repo(tmp.resolve("quick"), Map.of("build.yaml", "steps:\n  - args: [echo, quick]\n"));
            Path archive = tmp.resolve("quick.tgz");
            try (var o = java.nio.file.Files.newOutputStream(archive)) {
                dev.kiln.agent.archive.SourceArchive.pack(quick, o);
            }
            justDone = api.submit(archive, null, Map.of()).id();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5))
                    .until(() -> api.get(justDone).status() == Status.SUCCESS);
            server.kill9();
        } finally {
            if (helper != null) {
                helper.close();
            }
            ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains("sleep " + sleep))
                    .forEach(ProcessHandle::destroyForcibly);
        }
        try (KilnProcess server = server(data)) {
            String url = server.awaitLine(LISTENING, Duration.ofSeconds(30));
            ApiClient api = TestServer.client(url, data);
            BuildView kept = api.get(done);
            assertThat(kept.status()).isEqualTo(Status.SUCCESS);
            assertThat(api.get(justDone).status()).isEqualTo(Status.SUCCESS);
            assertThat(new String(api.log(justDone, 0).readAllBytes())).isEqualTo("quick\n");
            assertThat(new String(api.log(done, 0).readAllBytes())).isEqualTo("kept across restarts\n");

            await().atMost(Duration.ofSeconds(10)).until(() -> api.get(orphan).status().isFinal());
            BuildView end = api.get(orphan);
            assertThat(end.status()).isEqualTo(Status.INTERNAL_ERROR);
            assertThat(end.statusDetail()).contains("agent lost");
            assertThat(new String(api.log(orphan, 0).readAllBytes())).startsWith("working\n");
        }
    }

    @Test
    void a_build_on_a_remote_agent_survives_a_server_restart_and_the_client_prints_every_line_once() throws Exception {
        Path data = tmp.resolve("data");
        int port;
        try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port;
        KilnProcess server = KilnProcess.start(tmp, "server", "--port", String.valueOf(port), "--data-dir", data.toString(),
                "--lease-timeout", "10s", "--heartbeat=500ms", "--no-local-agent");
        KilnProcess agent = null;
        try {
            server.awaitLine(LISTENING, Duration.ofSeconds(30));
            String tokenFile = server.awaitLine("Agent token: in (\\S+)", Duration.ofSeconds(5));
            agent = KilnProcess.start(tmp, "agent", "--server", url, "--token-file", tokenFile, "--workdir", tmp.resolve("agent").toString());
            Path repo = TestServer.repo(tmp.resolve("repo"), Map.of("build.yaml", """
                    steps:
                      - id: count
                        script: |
                          for i in $(seq 1 60); do echo "line $i"; sleep 0.1; done
                    """));
            KilnProcess submit = KilnProcess.start(tmp, "submit", repo.toString(), "--server", url);
            submit.awaitLine("Step #0 - \"count\": line 5", Duration.ofSeconds(30));

            server.kill9();
            server = KilnProcess.start(tmp, "server", "--port", String.valueOf(port), "--data-dir", data.toString(),
                    "--lease-timeout", "10s", "--heartbeat=500ms", "--no-local-agent");
            server.awaitLine(LISTENING, Duration.ofSeconds(30));

            assertThat(submit.awaitExit(Duration.ofSeconds(60))).as(submit.output()).isZero();
            ApiClient api = TestServer.client(url, data);
            String id = api.list(1).get(0).id();
            assertThat(api.get(id).status()).isEqualTo(Status.SUCCESS);
            StringBuilder expected = new StringBuilder();
            for (int i = 1; i <= 60; i++) {
                expected.append("line ").append(i).append('\n');
            }
            assertThat(new String(api.log(id, 0).readAllBytes())).isEqualTo(expected.toString());
            String out = submit.output();
            for (int i = 1; i <= 60; i++) {
                String line = "Step #0 - \"count\": line " + i + "\n";
                assertThat(out.indexOf(line)).as("line %d printed", i).isNotNegative();
                assertThat(out.indexOf(line)).as("line %d printed once in:\n%s", i, out).isEqualTo(out.lastIndexOf(line));
            }
        } finally {
            if (agent != null) {
                agent.close();
            }
            server.close();
        }
    }
}
