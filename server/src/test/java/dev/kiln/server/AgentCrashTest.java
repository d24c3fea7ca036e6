package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiln.agent.StepExecutors;
import dev.kiln.agent.docker.ContainerLabels;
import dev.kiln.agent.docker.TestImages;
import dev.kiln.server.support.KilnProcess;
import dev.kiln.server.support.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A `kiln agent` killed (SIGKILL) during a step in an image, then started again on the same work directory. */
class AgentCrashTest {
    @TempDir Path tmp;
    TestServer kiln;

    @AfterEach
    void stop() {
        if (kiln != null) {
            kiln.close();
        }
    }

    @Test
    void an_agent_killed_mid_step_reaps_its_stale_container_when_restarted() throws Exception {
        String image = TestImages.busybox();
        kiln = TestServer.start(KilnServer.Config.defaults(tmp.resolve("data")).withPort(0).withLocalAgent(false)
                .withLease(Duration.ofSeconds(3), Duration.ofMillis(500)));
        TestServer.reachable(tmp);
        Path work = TestServer.reachable(Files.createDirectories(tmp.resolve("agent-work"))).toAbsolutePath();
        String[] agentArgs = {"agent", "--server", kiln.server.url(), "--token-file",
                tmp.resolve("data/agent.token").toString(), "--workdir", work.toString(), "--executor", "docker"};
        Map<String, String> mine = Map.of(ContainerLabels.AGENT, StepExecutors.agentKey(work));
        KilnProcess first = KilnProcess.start(tmp.resolve("first"), agentArgs);
        first.awaitLine("Steps: process steps, and steps in images", Duration.ofSeconds(30));
        Path repo = TestServer.repo(tmp.resolve("repo"), Map.of("build.yaml",
                "steps:\n  - name: " + image + "\n    args: [sh, -c, 'echo begun; sleep 120']\n"));
        String id = kiln.submit(repo).id();
        await().atMost(Duration.ofSeconds(60)).until(() -> kiln.logText(id, 0).contains("begun"));

        first.kill9();

        var docker = TestImages.engine().client();
        assertThat(docker.listContainersCmd().withLabelFilter(mine).exec()).as("the step's container outlives its agent")
                .hasSize(1);
        try (KilnProcess second = KilnProcess.start(tmp.resolve("second"), agentArgs)) {
            second.awaitLine("removed (\\d+) containers, networks and volumes a previous run left", Duration.ofSeconds(30));
            assertThat(docker.listContainersCmd().withShowAll(true).withLabelFilter(mine).exec()).isEmpty();
            assertThat(docker.listNetworksCmd().withFilter("label", java.util.List.of(ContainerLabels.AGENT + "="
                    + StepExecutors.agentKey(work))).exec()).isEmpty();
        }
    }
}
