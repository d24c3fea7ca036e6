package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.agent.docker.TestImages;
import dev.kiln.agent.http.HttpAgentApi;
import dev.kiln.server.support.TestServer;
import dev.kiln.spec.api.BuildView;
import dev.kiln.spec.protocol.LeaseRequest;
import dev.kiln.spec.protocol.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Builds with steps in images: only agents with a Docker engine take them, and the embedded agent runs them. */
class ContainerBuildsTest {
    @TempDir Path tmp;
    TestServer kiln;

    @AfterEach
    void stop() {
        if (kiln != null) {
            kiln.close();
        }
    }

    @Test
    void a_build_with_a_step_in_an_image_waits_for_an_agent_with_the_docker_label_and_says_why() throws Exception {
        kiln = TestServer.start(KilnServer.Config.defaults(tmp.resolve("data")).withPort(0).withLocalAgent(false));
        Path repo = TestServer.repo(tmp.resolve("repo"), Map.of("build.yaml", """
                steps:
                  - args: ['true']
                  - name: busybox
                    args: ['true']
                """));
        BuildView b = kiln.submit(repo);

        assertThat(b.status()).isEqualTo(Status.QUEUED);
        assertThat(b.statusDetail()).isEqualTo("waiting for an agent with labels docker ('docker': steps run in images or images are pushed;"
                + " an agent offers it when it reaches a Docker engine, see kiln agent --executor)");
        var agents = new HttpAgentApi(kiln.server.url(), kiln.server.agentToken());
        assertThat(agents.lease(new LeaseRequest(LeaseRequest.PROTOCOL, "plain", "host", List.of()), Duration.ofMillis(300)))
                .isEmpty();
        assertThat(agents.lease(new LeaseRequest(LeaseRequest.PROTOCOL, "with-engine", "host", List.of("docker")),
                Duration.ofSeconds(1))).hasValueSatisfying(l -> assertThat(l.buildId()).isEqualTo(b.id()));
    }

    @Test
    void the_embedded_agent_runs_container_and_process_steps_in_one_workspace() throws Exception {
        String image = TestImages.busybox();
        kiln = TestServer.start(tmp.resolve("data"));
        Path repo = TestServer.repo(tmp.resolve("repo"), Map.of("build.yaml", """
                steps:
                  - id: host
                    args: [sh, -c, 'cat src.txt > from-host.txt']
                  - id: box
                    name: %s
                    dir: /workspace/out
                    script: |
                      cat ../from-host.txt
                      echo "in $(pwd)" > made-in-container.txt
                  - id: back
                    args: [cat, out/made-in-container.txt]
                """.formatted(image), "src.txt", "source file\n"));

        BuildView end = kiln.awaitEnd(kiln.submit(repo).id(), Duration.ofSeconds(60));

        assertThat(end.status()).as(end.statusDetail()).isEqualTo(Status.SUCCESS);
        assertThat(end.labels()).containsExactly("docker");
        assertThat(kiln.logText(end.id(), 1)).isEqualTo("source file\n");
        assertThat(kiln.logText(end.id(), 2)).isEqualTo("in /workspace/out\n");
    }

    @Test
    void a_server_stopped_right_after_a_container_build_ended_leaves_nothing_of_it_on_the_engine() throws Exception {
        String image = TestImages.busybox();
        kiln = TestServer.start(tmp.resolve("data"));
        Path repo = TestServer.repo(tmp.resolve("repo"), Map.of("build.yaml", """
                steps:
                  - name: %s
                    args: ['true']
                  - name: %s
                    args: ['true']
                """.formatted(image, image)));
        BuildView end = kiln.awaitEnd(kiln.submit(repo).id(), Duration.ofSeconds(60));
        assertThat(end.status()).as(end.statusDetail()).isEqualTo(Status.SUCCESS);

        kiln.close();   // at once: the embedded agent may still be removing the build's containers and network
        kiln = null;

        var docker = TestImages.engine().client();
        assertThat(docker.listNetworksCmd().withFilter("label", List.of("kiln.build=" + end.id())).exec()).isEmpty();
        assertThat(docker.listContainersCmd().withShowAll(true).withLabelFilter(Map.of("kiln.build", end.id())).exec()).isEmpty();
    }
}
