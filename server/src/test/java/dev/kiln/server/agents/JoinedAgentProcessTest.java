package dev.kiln.server.agents;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.agent.http.JoinedAgent;
import dev.kiln.server.KilnServer;
import dev.kiln.server.support.KilnProcess;
import dev.kiln.server.support.TestServer;
import dev.kiln.spec.api.AgentView;
import dev.kiln.spec.json.Json;
import dev.kiln.spec.protocol.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kiln agent} and {@code kiln agents} as a user runs them: join once, restart as the same agent, be disabled. */
class JoinedAgentProcessTest {
    @TempDir Path tmp;

    @Test
    void a_restarted_agent_is_the_same_agent_without_the_registration_token_until_an_admin_disables_it() throws Exception {
        TestServer.reachable(tmp);   // run as root, the agent's steps run as a build user who must reach its workdir
        Path work = TestServer.reachable(Files.createDirectories(tmp.resolve("work")));
        try (TestServer kiln = TestServer.start(KilnServer.Config.defaults(tmp.resolve("data")).withPort(0)
                .withLocalAgent(false).withLease(Duration.ofSeconds(5), Duration.ofMillis(500)))) {
            String url = kiln.server.url();
            String id;
            try (KilnProcess first = KilnProcess.start(tmp.resolve("first"), "agent", "--server", url, "--token-file",
                    kiln.dataDir.resolve("agent.token").toString(), "--workdir", work.toString(), "--executor", "process",
                    "--name", "box")) {
                id = first.awaitLine("Joined as agent (\\S+);", Duration.ofSeconds(30));
                assertThat(id).matches("box-[0-9a-f]{8}");
                String b = kiln.submit(TestServer.repo(tmp.resolve("one"), Map.of("build.yaml",
                        "steps:\n  - args: [sh, -c, 'echo first run']\n"))).id();
                assertThat(kiln.awaitEnd(b, Duration.ofSeconds(30)).status()).isEqualTo(Status.SUCCESS);
            }
            Path file = work.resolve(JoinedAgent.FILE);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            JoinedAgent kept = Json.MAPPER.readValue(file.toFile(), JoinedAgent.class);
            assertThat(kept.agentId()).isEqualTo(id);
            assertThat(kept.credential()).startsWith("kagent_").isNotEqualTo(kiln.server.registrationToken());

            // No token this time: the credential it kept is enough, and it is the same agent.
            try (KilnProcess second = KilnProcess.start(tmp.resolve("second"), "agent", "--server", url,
                    "--workdir", work.toString(), "--executor", "process")) {
                assertThat(second.awaitLine("Kiln agent (\\S+) pulling builds", Duration.ofSeconds(30))).isEqualTo(id);
                String b = kiln.submit(TestServer.repo(tmp.resolve("two"), Map.of("build.yaml",
                        "steps:\n  - args: [sh, -c, 'echo second run']\n"))).id();
                assertThat(kiln.awaitEnd(b, Duration.ofSeconds(30)).status()).isEqualTo(Status.SUCCESS);
                assertThat(second.output()).doesNotContain("Joined as");
                assertThat(kiln.api.agents()).extracting(AgentView::id).containsExactly(id);

                String admin = kiln.server.adminToken();
                KilnProcess list = KilnProcess.start(tmp.resolve("cli"), "agents", "list", "--server", url, "--token", admin);
                assertThat(list.awaitExit(Duration.ofSeconds(30))).as(list.output()).isZero();
                assertThat(list.output()).containsPattern(id + " +enabled +\\S+ +\\S+");
                KilnProcess token = KilnProcess.start(tmp.resolve("cli"), "agents", "registration-token", "--server", url,
                        "--token", admin);
                assertThat(token.awaitExit(Duration.ofSeconds(30))).as(token.output()).isZero();
                assertThat(token.output().strip()).isEqualTo(kiln.server.registrationToken());
                KilnProcess disable = KilnProcess.start(tmp.resolve("cli"), "agents", "disable", id, "--server", url,
                        "--token", admin);
                assertThat(disable.awaitExit(Duration.ofSeconds(30))).as(disable.output()).isZero();
                assertThat(disable.output()).contains("Disabled agent " + id + ".");

                // Its waiting poll ends at once and the next is refused: the agent stops, saying why and what to do.
                assertThat(second.awaitExit(Duration.ofSeconds(60))).as(second.output()).isEqualTo(1);
                assertThat(second.output()).contains("ERROR: the server refused this agent's credential (kept in " + file,
                        "agent " + id + " is disabled", "kiln agents enable " + id);
            }
        }
    }
}
