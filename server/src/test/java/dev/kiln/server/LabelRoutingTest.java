package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiln.agent.http.HttpAgentApi;
import dev.kiln.server.support.TestServer;
import dev.kiln.spec.api.BuildView;
import dev.kiln.spec.protocol.Lease;
import dev.kiln.spec.protocol.LeaseRequest;
import dev.kiln.spec.protocol.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A build's labels (options.pool.name, options.agent.labels) decide which agents may take it. */
class LabelRoutingTest {
    @TempDir Path tmp;
    TestServer kiln;

    @AfterEach
    void stop() {
        if (kiln != null) {
            kiln.close();
        }
    }

    private void startWithoutEmbeddedAgent() throws Exception {
        kiln = TestServer.start(KilnServer.Config.defaults(tmp.resolve("data")).withPort(0).withLocalAgent(false)
                .withLease(Duration.ofSeconds(3), Duration.ofMillis(500)));
    }

    private Optional<Lease> lease(String agent, List<String> labels) throws Exception {
        return new HttpAgentApi(kiln.server.url(), kiln.server.agentToken())
                .lease(new LeaseRequest(LeaseRequest.PROTOCOL, agent, "host", labels), Duration.ofSeconds(1));
    }

    @Test
    void a_build_for_a_gpu_pool_waits_for_an_agent_with_that_label_and_says_so() throws Exception {
        startWithoutEmbeddedAgent();
        Path repo = TestServer.repo(tmp.resolve("repo"), Map.of("build.yaml", """
                steps:
                  - args: ['true']
                options:
                  pool:
                    name: projects/p/locations/europe-west1/workerPools/gpu
                """));
        BuildView b = kiln.submit(repo);
        assertThat(b.status()).isEqualTo(Status.QUEUED);
        assertThat(b.statusDetail()).isEqualTo("waiting for an agent with labels gpu");

        assertThat(lease("plain", List.of())).isEmpty();
        assertThat(lease("arm", List.of("arm"))).isEmpty();
        BuildView still = kiln.api.get(b.id());
        assertThat(still.status()).isEqualTo(Status.QUEUED);
        assertThat(still.statusDetail()).isEqualTo("waiting for an agent with labels gpu");

        assertThat(lease("gpu-box", List.of("linux", "gpu")))
                .hasValueSatisfying(l -> assertThat(l.buildId()).isEqualTo(b.id()));
        BuildView taken = kiln.api.get(b.id());
        assertThat(taken.status()).isEqualTo(Status.WORKING);
        assertThat(taken.statusDetail()).isNull();
    }

    @Test
    void a_labelled_build_queued_again_after_its_agent_vanished_says_again_what_it_waits_for() throws Exception {
        kiln = TestServer.start(KilnServer.Config.defaults(tmp.resolve("data")).withPort(0).withLocalAgent(false)
                .withLease(Duration.ofSeconds(2), Duration.ofMillis(500)));
        Path repo = TestServer.repo(tmp.resolve("repo"), Map.of("build.yaml",
                "steps:\n  - args: ['true']\noptions:\n  agent: {labels: [gpu]}\n"));
        BuildView b = kiln.submit(repo);
        // Takes the lease and is never heard of again, as if killed right after.
        assertThat(lease("vanishing", List.of("gpu"))).isPresent();

        await().atMost(Duration.ofSeconds(10)).until(() -> kiln.api.get(b.id()).status() == Status.QUEUED);
        assertThat(kiln.api.get(b.id()).statusDetail()).isEqualTo("waiting for an agent with labels gpu");
        assertThat(lease("plain", List.of())).isEmpty();
    }

    @Test
    void an_agent_needs_every_label_of_the_build() throws Exception {
        startWithoutEmbeddedAgent();
        Path repo = TestServer.repo(tmp.resolve("repo"), Map.of("build.yaml", """
                steps:
                  - args: ['true']
                options:
                  agent:
                    labels: [gpu, linux]
                """));
        BuildView b = kiln.submit(repo);
        assertThat(b.statusDetail()).isEqualTo("waiting for an agent with labels gpu, linux");

        assertThat(lease("gpu-only", List.of("gpu"))).isEmpty();
        assertThat(lease("both", List.of("linux", "gpu", "cuda12")))
                .hasValueSatisfying(l -> assertThat(l.buildId()).isEqualTo(b.id()));
    }

    @Test
    void the_embedded_agent_without_labels_leaves_a_labelled_build_alone_until_its_queue_ttl_ends_it() throws Exception {
        kiln = TestServer.start(tmp.resolve("data"));
        Path repo = TestServer.repo(tmp.resolve("repo"), Map.of("build.yaml", """
                queueTtl: 2s
                steps:
                  - args: ['true']
                options:
                  agent:
                    labels: gpu
                """));
        BuildView end = kiln.awaitEnd(kiln.submit(repo).id(), Duration.ofSeconds(15));

        assertThat(end.status()).isEqualTo(Status.EXPIRED);
        assertThat(end.startTime()).as("never taken by an agent").isNull();
        assertThat(end.steps().get(0).status()).isEqualTo(Status.SKIPPED);
    }

    @Test
    void a_build_without_labels_is_taken_by_any_agent_and_has_no_waiting_detail() throws Exception {
        startWithoutEmbeddedAgent();
        Path repo = TestServer.repo(tmp.resolve("repo"), Map.of("build.yaml", "steps:\n  - args: ['true']\n"));
        BuildView b = kiln.submit(repo);
        assertThat(b.statusDetail()).isNull();

        assertThat(lease("plain", List.of())).hasValueSatisfying(l -> assertThat(l.buildId()).isEqualTo(b.id()));
    }
}
