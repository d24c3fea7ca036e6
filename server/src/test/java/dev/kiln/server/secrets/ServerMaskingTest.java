package dev.kiln.server.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.agent.http.HttpAgentApi;
import dev.kiln.server.KilnServer;
import dev.kiln.server.logs.LogStore;
import dev.kiln.server.support.SecretScan;
import dev.kiln.server.support.TestServer;
import dev.kiln.spec.api.BuildView;
import dev.kiln.spec.protocol.AgentApi;
import dev.kiln.spec.protocol.LeaseRequest;
import dev.kiln.spec.protocol.Status;
import dev.kiln.spec.protocol.StepResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server masks what agents send too: an agent that does not mask (here: one driven by hand
 * through the agent API) still cannot get a secret into a stored or served log, split across
 * chunks or not, and the agent's offsets stay its own.
 */
class ServerMaskingTest {
    private static final String SECRET = "s3rver-side/secret+value";

    @TempDir Path tmp;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void chunks_are_masked_across_their_boundaries_and_answered_in_the_agents_own_count() throws Exception {
        LogStore logs = new LogStore(tmp.resolve("logs"));
        LogMasks masks = new LogMasks(logs, id -> List.of(SECRET));
        byte[] one = b("start " + SECRET.substring(0, 7));
        byte[] two = b(SECRET.substring(7) + " end\n");

        assertThat(masks.append("b", 0, 0, one, 0, one.length, 1)).isEqualTo(one.length);
        assertThat(new String(logs.read("b", 0, 0, 100), StandardCharsets.UTF_8)).as("the start of the secret is held")
                .isEqualTo("start ");
        // A resend of the first chunk (its answer lost) changes nothing; a gap is refused with the agent's count.
        assertThat(masks.append("b", 0, 0, one, 0, one.length, 1)).isEqualTo(one.length);
        assertThatThrownBy(() -> masks.append("b", 0, one.length + 5, two, 0, two.length, 2))
                .isInstanceOfSatisfying(AgentApi.LogGapException.class, e -> assertThat(e.size()).isEqualTo(one.length));
        assertThat(masks.append("b", 0, one.length, two, 0, two.length, 2)).isEqualTo(one.length + two.length);
        byte[] tail = b("x " + SECRET.substring(0, 3));
        masks.append("b", 0, one.length + two.length, tail, 0, tail.length, 3);
        masks.stepEnded("b", 0);

        assertThat(new String(logs.read("b", 0, 0, 100), StandardCharsets.UTF_8)).isEqualTo("start *** end\nx s3r");
    }

    @Test
    void a_build_without_secrets_goes_straight_to_the_log_store() throws Exception {
        LogStore logs = new LogStore(tmp.resolve("logs"));
        LogMasks masks = new LogMasks(logs, id -> List.of());
        byte[] data = b("s3rver-side/secret+value\n");
        assertThat(masks.append("b", 0, 0, data, 0, data.length, 1)).isEqualTo(data.length);
        assertThat(logs.read("b", 0, 0, 100)).isEqualTo(data);
    }

    @Test
    void an_agent_that_does_not_mask_cannot_store_the_secret_its_lease_carries() throws Exception {
        TestServer kiln = TestServer.start(KilnServer.Config.defaults(tmp.resolve("data")).withPort(0).withLocalAgent(false));
        try {
            kiln.api.setSecret("api-key", null, b(SECRET));
            Path repo = TestServer.repo(tmp.resolve("repo"), Map.of("build.yaml", """
                    steps:
                      - secretEnv: [KEY]
                        args: ['true']
                    availableSecrets:
                      secretManager:
                        - {versionName: api-key, env: KEY}
                    """));
            String id = kiln.submit(repo).id();
            HttpAgentApi agent = new HttpAgentApi(kiln.server.url(), kiln.server.agentToken());
            var lease = agent.lease(new LeaseRequest(LeaseRequest.PROTOCOL, "rogue", "h", List.of()), Duration.ofSeconds(10))
                    .orElseThrow();
            assertThat(lease.buildId()).isEqualTo(id);
            assertThat(lease.secrets()).containsExactly(Map.entry("KEY", SECRET));
            assertThat(lease.toString()).doesNotContain(SECRET);

            agent.stepStarted(id, lease.leaseId(), 0, System.currentTimeMillis());
            long at = 0;
            for (String chunk : List.of("a: " + SECRET.substring(0, 10), SECRET.substring(10) + "\n",
                    "b: " + Base64.getEncoder().encodeToString(b("x" + SECRET)) + "\n",
                    "c: " + java.net.URLEncoder.encode(SECRET, StandardCharsets.UTF_8) + "\n")) {
                byte[] c = b(chunk);
                at = agent.appendLog(id, lease.leaseId(), 0, at, c, 0, c.length);
            }
            assertThat(at).as("the agent's own count").isEqualTo(("a: " + SECRET + "\n").length()
                    + ("b: " + Base64.getEncoder().encodeToString(b("x" + SECRET)) + "\n").length()
                    + ("c: " + java.net.URLEncoder.encode(SECRET, StandardCharsets.UTF_8) + "\n").length());
            long now = System.currentTimeMillis();
            agent.stepFinished(id, lease.leaseId(), 0, new StepResult(Status.SUCCESS, 0, now, now, null));
            agent.buildFinished(id, lease.leaseId(), Status.SUCCESS, null);
            BuildView end = kiln.awaitEnd(id, Duration.ofSeconds(10));

            String log = kiln.logText(end.id(), 0);
            assertThat(log).startsWith("a: ***\nb: ").contains("c: ***\n");
            assertThat(SecretScan.in(log, SECRET)).isEmpty();
        } finally {
            kiln.close();
        }
        assertThat(SecretScan.filesUnder(tmp.resolve("data"), SECRET)).isEmpty();
    }
}
