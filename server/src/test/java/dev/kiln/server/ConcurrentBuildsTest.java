package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiln.server.support.TestServer;
import dev.kiln.spec.api.BuildView;
import dev.kiln.spec.protocol.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded agent runs up to --max-builds builds side by side, each under a lease and in a workspace of its own. */
class ConcurrentBuildsTest {
    @TempDir Path tmp;
    TestServer kiln;

    @AfterEach
    void stop() {
        if (kiln != null) {
            kiln.close();
        }
    }

    @Test
    void a_long_build_does_not_hold_back_the_next_one_and_a_third_waits_for_a_free_slot() throws Exception {
        kiln = TestServer.start(KilnServer.Config.defaults(tmp.resolve("data")).withPort(0)
                .withLease(Duration.ofSeconds(5), Duration.ofMillis(500)).withLocalAgentMaxBuilds(2));
        // Steps run as the build user: it must be able to look for the gate.
        Path gate = TestServer.reachable(Files.createDirectories(TestServer.reachable(tmp).resolve("shared"))).resolve("gate");
        // Each build leaves a file in its workspace, then shows what its workspace holds once the gate opens.
        Path repo = TestServer.repo(tmp.resolve("repo"), Map.of("build.yaml", """
                steps:
                  - args: ['sh', '-c', 'touch "mine-$BUILD_ID"; pwd; while [ ! -e %s ]; do sleep 0.02; done; ls']
                """.formatted(gate)));

        BuildView first = kiln.submit(repo);
        BuildView second = kiln.submit(repo);
        await().atMost(Duration.ofSeconds(20)).until(() ->
                kiln.api.get(first.id()).status() == Status.WORKING && kiln.api.get(second.id()).status() == Status.WORKING);
        BuildView third = kiln.submit(repo);
        BuildView a = kiln.api.get(first.id());
        BuildView b = kiln.api.get(second.id());
        assertThat(a.agent()).as("one agent holds both").isNotNull().isEqualTo(b.agent());
        assertThat(kiln.api.get(third.id()).status()).as("both slots are taken").isEqualTo(Status.QUEUED);

        Files.createFile(gate);
        for (BuildView v : List.of(first, second, third)) {
            assertThat(kiln.awaitEnd(v.id(), Duration.ofSeconds(30)).status()).isEqualTo(Status.SUCCESS);
        }
        List<String> workspaces = new java.util.ArrayList<>();
        for (BuildView v : List.of(first, second, third)) {
            List<String> lines = kiln.logText(v.id(), 0).lines().toList();
            workspaces.add(lines.get(0));
            assertThat(lines.subList(1, lines.size())).as("build %s saw only its own workspace", v.id())
                    .containsExactly("build.yaml", "mine-" + v.id());
        }
        assertThat(workspaces).doesNotHaveDuplicates();
    }
}
