package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.agent.client.ApiClient;
import dev.kiln.server.support.KilnProcess;
import dev.kiln.server.support.TestServer;
import dev.kiln.spec.protocol.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kiln command as a user types it: validate, builds, and Ctrl-C during a submit. */
class CliTest {
    @TempDir Path tmp;

    @Test
    void validate_prints_the_step_graph_and_warnings_and_exits_zero() throws Exception {
        Path repo = TestServer.repo(tmp.resolve("repo"), Map.of("cloudbuild.yaml", """
                options:
                  machineType: E2_HIGHCPU_8
                steps:
                  - id: test
                    waitFor: ['-']
                    args: [pytest]
                  - id: lint
                    waitFor: ['-']
                    args: [flake8]
                  - id: train
                    args: [python, train.py]
                """));
        KilnProcess p = KilnProcess.start(tmp, "validate", repo.toString());
        assertThat(p.awaitExit(Duration.ofSeconds(30))).as(p.output()).isZero();
        assertThat(p.output())
                .contains("warning: cloudbuild.yaml:2:3: options: 'machineType' is read but not acted on by Kiln")
                .contains("cloudbuild.yaml: OK, 3 step(s)")
                .containsPattern("#0\\s+test\\s+after: \\(start\\)")
                .containsPattern("#2\\s+train\\s+after: lint \\(and all before\\)");
    }

    @Test
    void validate_prints_every_error_and_exits_two() throws Exception {
        Path repo = TestServer.repo(tmp.resolve("repo"), Map.of("build.yaml", """
                steps:
                  - id: a
                    waitFor: [b]
                    args: ['true']
                  - id: b
                    waitFor: [a]
                    args: ['true']
                    timeout: soon
                """));
        KilnProcess p = KilnProcess.start(tmp, "validate", repo.resolve("build.yaml").toString());
        assertThat(p.awaitExit(Duration.ofSeconds(30))).isEqualTo(2);
        assertThat(p.output())
                .contains("build.yaml:8:14: step 'b': timeout: 'soon' is not a duration")
                .contains("waitFor forms a cycle")
                .contains("error(s); nothing would run.");
    }

    @Test
    void validate_warns_once_for_values_a_trigger_gives_and_prints_json_for_editors() throws Exception {
        Path repo = TestServer.repo(tmp.resolve("repo"), Map.of("cloudbuild.yaml", """
                steps:
                  - args: [deploy, '--zone=$_ZONE', '--cluster=$_CLUSTER']
                  - args: [verify, $_ZONE]
                """));
        KilnProcess text = KilnProcess.start(tmp, "validate", repo.toString());
        assertThat(text.awaitExit(Duration.ofSeconds(30))).as(text.output()).isZero();
        assertThat(text.output()).contains("warning: cloudbuild.yaml:1:1: needs _ZONE, _CLUSTER from the trigger or --substitutions")
                .doesNotContain("unknown substitution");

        KilnProcess json = KilnProcess.start(tmp, "validate", repo.toString(), "--substitutions", "_ZONE=eu",
                "--format", "json");
        assertThat(json.awaitExit(Duration.ofSeconds(30))).as(json.output()).isEqualTo(2);
        assertThat(json.output()).contains("\"severity\" : \"error\"")
                .contains("\"message\" : \"needs _CLUSTER from the trigger or --substitutions\"");
    }

    @Test
    void interrupting_a_submit_cancels_its_build() throws Exception {
        try (TestServer kiln = TestServer.start(tmp.resolve("data"))) {
            Path repo = TestServer.repo(tmp.resolve("repo"), Map.of("build.yaml", """
                    steps:
                      - script: |
                          echo waiting
                          sleep 60
                    """));
            KilnProcess submit = KilnProcess.start(tmp, "submit", repo.toString(), "--server", kiln.server.url(),
                    "--token", kiln.server.adminToken());
            submit.awaitLine("Step #0: waiting", Duration.ofSeconds(30));
            submit.process.destroy(); // SIGTERM, as Ctrl-C's SIGINT: both run the shutdown hooks
            submit.awaitExit(Duration.ofSeconds(20));
            String id = kiln.api.list(1).get(0).id();
            assertThat(kiln.awaitEnd(id, Duration.ofSeconds(10)).status()).isEqualTo(Status.CANCELLED);
            assertThat(submit.output()).contains("Cancelled build " + id);
        }
    }

    @Test
    void submit_dot_keeps_the_links_inside_the_directory_and_leaves_out_those_pointing_outside() throws Exception {
        try (TestServer kiln = TestServer.start(tmp.resolve("data"))) {
            Path repo = TestServer.repo(tmp.resolve("repo"), Map.of("data.txt", "hello\n", "build.yaml", """
                    steps:
                      - script: |
                          test -L inside && test "$(cat inside)" = hello && test ! -e outside && echo links-ok
                    """));
            Files.createSymbolicLink(repo.resolve("inside"), Path.of("data.txt"));
            Files.createSymbolicLink(repo.resolve("outside"), Path.of("../elsewhere"));
            KilnProcess submit = KilnProcess.start(repo, "submit", ".", "--server", kiln.server.url(),
                    "--token", kiln.server.adminToken());
            assertThat(submit.awaitExit(Duration.ofSeconds(60))).as(submit.output()).isZero();
            assertThat(submit.output()).contains("links-ok")
                    .contains("WARNING: left out link outside -> ../elsewhere")
                    .doesNotContain("left out link inside");
        }
    }

    @Test
    void builds_log_prints_json_cancel_of_an_ended_build_fails_and_an_unknown_format_is_refused() throws Exception {
        try (TestServer kiln = TestServer.start(tmp.resolve("data"))) {
            Path repo = TestServer.repo(tmp.resolve("repo"), Map.of("build.yaml", """
                    steps:
                      - id: greet
                        script: echo 'hello "json"'
                    """));
            String id = kiln.submit(repo).id();
            assertThat(kiln.awaitEnd(id, Duration.ofSeconds(30)).status()).isEqualTo(Status.SUCCESS);
            String[] server = {"--server", kiln.server.url(), "--token", kiln.server.adminToken()};

            KilnProcess log = KilnProcess.start(tmp, concat(new String[] {"builds", "log", id, "--format", "json"}, server));
            assertThat(log.awaitExit(Duration.ofSeconds(30))).as(log.output()).isZero();
            var steps = dev.kiln.spec.json.Json.MAPPER.readTree(log.output());
            assertThat(steps.size()).isEqualTo(1);
            assertThat(steps.get(0).get("id").asText()).isEqualTo("greet");
            assertThat(steps.get(0).get("status").asText()).isEqualTo("SUCCESS");
            assertThat(steps.get(0).get("log").asText()).isEqualTo("hello \"json\"\n");

            KilnProcess cancel = KilnProcess.start(tmp, concat(new String[] {"builds", "cancel", id}, server));
            assertThat(cancel.awaitExit(Duration.ofSeconds(30))).as(cancel.output()).isEqualTo(1);
            assertThat(cancel.output()).contains("ERROR: build " + id + " had already ended: SUCCESS")
                    .doesNotContain("Cancelling");

            KilnProcess yaml = KilnProcess.start(tmp, concat(new String[] {"builds", "list", "--format", "yaml"}, server));
            assertThat(yaml.awaitExit(Duration.ofSeconds(30))).as(yaml.output()).isEqualTo(2);
            assertThat(yaml.output()).contains("--format", "yaml", "text, json");
        }
        KilnProcess help = KilnProcess.start(tmp, "builds", "list", "--help");
        assertThat(help.awaitExit(Duration.ofSeconds(30))).isZero();
        assertThat(help.output()).contains("--limit=N", "How many builds to show (default 50)", "--format", "text, json");
    }

    @Test
    void validate_takes_config_as_submit_does_and_names_the_same_defaults() throws Exception {
        Path repo = TestServer.repo(tmp.resolve("repo"), Map.of("ci/other.yaml", "steps:\n  - args: ['true']\n"));
        KilnProcess none = KilnProcess.start(tmp, "validate", repo.toString());
        assertThat(none.awaitExit(Duration.ofSeconds(30))).isEqualTo(2);
        assertThat(none.output()).contains(
                "none of build.yaml, cloudbuild.yaml, buildspec.yaml, build.json, cloudbuild.json (name another with --config FILE)");

        KilnProcess named = KilnProcess.start(tmp, "validate", repo.toString(), "--config", "ci/other.yaml");
        assertThat(named.awaitExit(Duration.ofSeconds(30))).as(named.output()).isZero();
        assertThat(named.output()).contains("ci/other.yaml: OK, 1 step(s)");

        KilnProcess help = KilnProcess.start(tmp, "submit", "--help");
        assertThat(help.awaitExit(Duration.ofSeconds(30))).isZero();
        assertThat(help.output().replaceAll("\\s+", "")) // help wraps lines anywhere
                .contains("thefirstofbuild.yaml,cloudbuild.yaml,buildspec.yaml,build.json,cloudbuild.json");
    }

    @Test
    void an_agent_with_a_wrong_token_stops_and_says_so_and_one_without_a_server_says_nothing_answers() throws Exception {
        TestServer.reachable(tmp);   // run as root, the agent's steps run as a build user who must reach its workdir
        Path wrong = Files.writeString(tmp.resolve("wrong.token"), "not-the-token\n");
        try (TestServer kiln = TestServer.start(tmp.resolve("data"))) {
            KilnProcess agent = KilnProcess.start(tmp, "agent", "--server", kiln.server.url(), "--token-file", wrong.toString(),
                    "--workdir", tmp.resolve("w").toString());
            assertThat(agent.awaitExit(Duration.ofSeconds(30))).as(agent.output()).isEqualTo(1);
            assertThat(agent.output()).contains("ERROR: the server refused the agent token: check --token-file")
                    .doesNotContain("retrying");
        }
        try (KilnProcess agent = KilnProcess.start(tmp, "agent", "--server", "http://127.0.0.1:9", "--token-file",
                wrong.toString(), "--workdir", tmp.resolve("w").toString())) {
            // It joins first (no credential of its own yet), and keeps trying while nothing answers.
            String line = agent.awaitLine("(cannot join the server.*)", Duration.ofSeconds(30));
            assertThat(line).contains("nothing answers at http://127.0.0.1:9").doesNotContain("null");
        }
    }

    @Test
    void a_server_on_every_address_names_the_urls_other_machines_can_use_in_its_join_command() throws Exception {
        try (KilnProcess server = KilnProcess.start(tmp, "server", "--host", "0.0.0.0", "--port", "0", "--data-dir",
                tmp.resolve("d").toString(), "--no-local-agent", "--public-url", "http://ci.example.org:8080/")) {
            String join = server.awaitLine("Join another agent: kiln agent --server (\\S+)", Duration.ofSeconds(30));
            assertThat(join).isEqualTo("http://ci.example.org:8080");
        }
        try (KilnProcess server = KilnProcess.start(tmp, "server", "--host", "0.0.0.0", "--port", "0", "--data-dir",
                tmp.resolve("d2").toString(), "--no-local-agent")) {
            String join = server.awaitLine("Join another agent: kiln agent --server (\\S+)", Duration.ofSeconds(30));
            boolean otherAddresses = java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces()).stream()
                    .anyMatch(n -> { try { return n.isUp() && !n.isLoopback(); } catch (java.net.SocketException e) { return false; } });
            if (otherAddresses) {
                assertThat(join).doesNotContain("127.0.0.1");
                assertThat(server.output()).contains("Reachable from other machines at: " + join);
            }
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void the_cli_on_the_servers_machine_finds_the_admin_token_and_says_clearly_when_it_cannot_read_it() throws Exception {
        TestServer.reachable(tmp);
        Path data = tmp.resolve("data");
        try (KilnProcess server = KilnProcess.start(tmp, "server", "--port", "0", "--data-dir", data.toString(),
                "--no-local-agent")) {
            String url = server.awaitLine("Kiln server listening on (http://\\S+)", Duration.ofSeconds(30));
            assertThat(server.output()).contains("Admin API token: in " + data.resolve("admin.token"))
                    .doesNotContain(Files.readString(data.resolve("admin.token")).strip());
            // Same user, any directory: no flag, no variable, the server's note leads to the token file.
            Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
            Path repo = TestServer.repo(tmp.resolve("repo"), Map.of("build.yaml", "steps:\n  - args: ['true']\n"));
            KilnProcess submit = KilnProcess.start(elsewhere, Map.of("XDG_CONFIG_HOME", tmp.resolve("xdg").toString()),
                    List.of(), "submit", repo.toString(), "--server", url, "--async");
            assertThat(submit.awaitExit(Duration.ofSeconds(30))).as(submit.output()).isZero();
            ApiClient api = TestServer.client(url, data);   // before the file becomes unreadable
            String id = api.list(1).get(0).id();

            String token = Files.readString(data.resolve("admin.token")).strip();
            // A user who cannot read the token file: reads and writes are refused, saying where the token is and why.
            Files.setPosixFilePermissions(data.resolve("admin.token"), java.nio.file.attribute.PosixFilePermissions.fromString("---------"));
            // Root reads any file; without its capabilities it is held to the file's mode like anyone else.
            List<String> noOverride = dev.kiln.agent.run.BuildUser.isRoot() ? List.of("setpriv", "--bounding-set=-all", "--") : List.of();
            KilnProcess list = KilnProcess.start(elsewhere, Map.of("XDG_CONFIG_HOME", tmp.resolve("xdg").toString()),
                    noOverride, "builds", "list", "--server", url);
            assertThat(list.awaitExit(Duration.ofSeconds(30))).as(list.output()).isEqualTo(1);
            assertThat(list.output()).contains("ERROR: this request needs a token")
                    .contains("cannot read " + data.resolve("admin.token") + ": permission denied").doesNotContain(id);
            // Given a token as the README says (KILN_TOKEN), the same user reads.
            KilnProcess withToken = KilnProcess.start(elsewhere, Map.of("XDG_CONFIG_HOME", tmp.resolve("xdg").toString(),
                    "KILN_TOKEN", token), noOverride, "builds", "list", "--server", url);
            assertThat(withToken.awaitExit(Duration.ofSeconds(30))).as(withToken.output()).isZero();
            assertThat(withToken.output()).contains(id);
            KilnProcess cancel = KilnProcess.start(elsewhere, Map.of("XDG_CONFIG_HOME", tmp.resolve("xdg").toString()),
                    noOverride, "builds", "cancel", id, "--server", url);
            assertThat(cancel.awaitExit(Duration.ofSeconds(30))).isEqualTo(1);
            assertThat(cancel.output())
                    .contains("ERROR: this request needs a token")
                    .contains("reads it from " + data.resolve("admin.token"))
                    .contains("cannot read " + data.resolve("admin.token") + ": permission denied")
                    .doesNotContain("Exception");
            assertThat(api.get(id).status()).isNotEqualTo(Status.CANCELLED);
        }
    }

    @Test
    void server_and_agent_show_their_source_limits_and_refuse_a_size_that_is_not_one() throws Exception {
        KilnProcess help = KilnProcess.start(tmp, "server", "--help");
        assertThat(help.awaitExit(Duration.ofSeconds(30))).isZero();
        assertThat(help.output()).contains("--max-source-entries=N", "(default 100000)",
                "--max-source-bytes=SIZE", "(default 4 GiB)", "--max-source-file-bytes=SIZE", "(default 1 GiB)");

        KilnProcess agent = KilnProcess.start(tmp, "agent", "--server", "http://127.0.0.1:9", "--max-source-bytes", "4GB");
        assertThat(agent.awaitExit(Duration.ofSeconds(30))).isEqualTo(1);
        assertThat(agent.output()).contains("ERROR: --max-source-bytes: '4GB' is not a size (say 4GiB, 512MiB or a number of bytes)");
    }

    @Test
    void a_secret_on_the_command_line_is_refused_because_every_user_and_step_can_read_it() throws Exception {
        KilnProcess agent = KilnProcess.start(tmp, "agent", "--server", "http://127.0.0.1:9", "--token", "secret-token");
        assertThat(agent.awaitExit(Duration.ofSeconds(30))).isEqualTo(2);
        assertThat(agent.output()).contains("ERROR: --token is refused", "--token-file FILE", "KILN_AGENT_TOKEN");

        KilnProcess server = KilnProcess.start(tmp, "server", "--port", "0", "--data-dir", tmp.resolve("d").toString(),
                "--db-password", "secret-password");
        assertThat(server.awaitExit(Duration.ofSeconds(30))).isEqualTo(2);
        assertThat(server.output()).contains("ERROR: --db-password is refused", "--db-password-file", "KILN_DB_PASSWORD");
        assertThat(tmp.resolve("d")).doesNotExist();
    }
}
