package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.agent.client.ApiClient;
import dev.kiln.server.support.KilnProcess;
import dev.kiln.server.support.Requirements;
import dev.kiln.server.support.TestServer;
import dev.kiln.spec.api.BuildView;
import dev.kiln.spec.protocol.Status;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A build step is untrusted code. Canaries sit in every secret the server and its agents hold;
 * steps on the embedded agent and on a remote agent look for them with env, ps, /proc, and by
 * reading and writing under the data directory. No canary may appear anywhere a user can see,
 * and no other build's log may change.
 */
class StepIsolationTest {
    private static final String DB_CANARY = "canary-db-password-7f3a";
    private static final String LISTENING = "Kiln server listening on (http://\\S+)";

    @TempDir Path tmp;

    @Test
    void steps_on_the_embedded_agent_see_no_secret_and_cannot_touch_the_servers_files() throws Exception {
        probe(false);
    }

    @Test
    void steps_on_a_remote_agent_given_its_token_by_environment_see_no_secret() throws Exception {
        probe(true);
    }

    private void probe(boolean remote) throws Exception {
        Requirements.root();
        TestServer.reachable(tmp);
        Path data = tmp.resolve("data");
        List<String> args = new ArrayList<>(List.of("server", "--port", "0", "--data-dir", data.toString(), "--db-user", "kiln"));
        if (remote) {
            args.add("--no-local-agent");
        }
        // The documented ways: the database password and the agent token from the environment.
        try (KilnProcess server = KilnProcess.start(tmp, Map.of("KILN_DB_PASSWORD", DB_CANARY), List.of(),
                args.toArray(String[]::new))) {
            String url = server.awaitLine(LISTENING, Duration.ofSeconds(30));
            String agentToken = Files.readString(data.resolve("agent.token")).strip();
            String adminToken = Files.readString(data.resolve("admin.token")).strip();
            ApiClient api = TestServer.client(url, data);
            KilnProcess agent = remote ? KilnProcess.start(tmp, Map.of("KILN_AGENT_TOKEN", agentToken), List.of(),
                    "agent", "--server", url, "--workdir", tmp.resolve("agent").toString()) : null;
            try {
                BuildView victim = submit(api, tmp.resolve("victim"), "steps:\n  - args: [echo, victim line]\n");
                String victimLog = awaitLog(api, victim.id());

                BuildView end = await(api, submit(api, tmp.resolve("probe"), probe(data, victim.id())).id());
                List<String> seen = new ArrayList<>();
                seen.add(end.toString());
                for (int i = 0; i < end.steps().size(); i++) {
                    seen.add(text(api, end.id(), i));
                }
                String all = String.join("\n", seen);
                assertThat(end.status()).as(all).isEqualTo(Status.SUCCESS);
                // The probes did run: they saw the build's own variables and the processes around them.
                assertThat(all).contains("HOME=", "KILN PROBE ps", "KILN PROBE read done", "KILN PROBE write done", "uid=");
                assertThat(all).as("a canary leaked to a step").doesNotContain(DB_CANARY, agentToken, adminToken)
                        .doesNotContain("KILN_AGENT_TOKEN").doesNotContain("KILN_DB_PASSWORD");
                assertThat(all).as("a step ran as root").doesNotContain("uid=0(");
                assertThat(text(api, victim.id(), 0)).isEqualTo(victimLog).doesNotContain("INJECTED");
                String printed = server.output() + (agent == null ? "" : agent.output());
                assertThat(printed).doesNotContain(agentToken, adminToken, DB_CANARY);
                if (remote) {
                    // The credential the agent got when it joined, kept in its work directory.
                    String credential = dev.kiln.agent.http.JoinedAgent.read(tmp.resolve("agent")
                            .resolve(dev.kiln.agent.http.JoinedAgent.FILE)).orElseThrow().credential();
                    assertThat(all + printed).as("the agent's credential leaked").doesNotContain(credential);
                    assertThat(all).contains("agent-credential.json: Permission denied");
                }
            } finally {
                if (agent != null) {
                    agent.close();
                }
            }
        }
    }

    /** Steps that go looking for secrets; each keeps going whatever fails. */
    private static String probe(Path data, String victim) {
        String d = data.toAbsolutePath().toString();
        return """
                steps:
                  - id: env
                    script: |
                      id
                      env | sort
                  - id: ps
                    script: |
                      echo KILN PROBE ps
                      ps -eo user,args 2>&1 || true
                      for f in /proc/[0-9]*/environ; do tr '\\0' '\\n' < "$f" 2>/dev/null || true; done
                  - id: read
                    script: |
                      cat %1$s/agent.token %1$s/admin.token 2>&1 || true
                      ls -la %1$s 2>&1 || true
                      strings %1$s/kiln.mv.db 2>&1 | head -c 100000 || true
                      cat ../../../../agent.token ../../../../admin.token 2>&1 || true
                      cat ../../../agent-credential.json 2>&1 || true
                      echo KILN PROBE read done
                  - id: write
                    script: |
                      echo INJECTED >> %1$s/logs/%2$s/0.log 2>&1 || true
                      for f in $(find / -name 0.log -path '*%2$s*' 2>/dev/null); do echo INJECTED >> "$f" 2>&1 || true; done
                      echo KILN PROBE write done
                """.formatted(d, victim);
    }

    private static BuildView submit(ApiClient api, Path dir, String config) throws Exception {
        TestServer.repo(dir, Map.of("build.yaml", config));
        Path archive = Files.createTempFile("probe", ".tgz");
        try (var out = Files.newOutputStream(archive)) {
            dev.kiln.agent.archive.SourceArchive.pack(dir, out);
        }
        return api.submit(archive, null, Map.of());
    }

    private static BuildView await(ApiClient api, String id) {
        BuildView[] last = new BuildView[1];
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> (last[0] = api.get(id)).status().isFinal());
        return last[0];
    }

    private static String awaitLog(ApiClient api, String id) throws Exception {
        assertThat(await(api, id).status()).isEqualTo(Status.SUCCESS);
        return text(api, id, 0);
    }

    private static String text(ApiClient api, String id, int step) throws Exception {
        try (var in = api.log(id, step)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
