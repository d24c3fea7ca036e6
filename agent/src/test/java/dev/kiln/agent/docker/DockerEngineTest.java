package dev.kiln.agent.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.command.CreateContainerResponse;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.WaitResponse;
import com.github.dockerjava.core.command.WaitContainerResultCallback;
import org.junit.jupiter.api.Test;

class DockerEngineTest {

    @Test
    void theTestImageRunsOnTheEngine() {
        DockerEngine docker = TestImages.engine();
        String image = TestImages.busybox();
        CreateContainerResponse created = docker.client().createContainerCmd(image)
                .withCmd("sh", "-c", "exit 7")
                .withHostConfig(HostConfig.newHostConfig().withInit(true).withAutoRemove(false))
                .exec();
        try {
            docker.client().startContainerCmd(created.getId()).exec();
            int code = docker.client().waitContainerCmd(created.getId())
                    .exec(new WaitContainerResultCallback()).awaitStatusCode();
            assertThat(code).isEqualTo(7);
        } finally {
            docker.client().removeContainerCmd(created.getId()).withForce(true).exec();
        }
    }

    @Test
    void anEngineThatDoesNotAnswerIsReportedAsUnreachable(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) {
        assertThat(TestImages.engine().reachable()).isTrue();
        try (DockerEngine dead = DockerEngine.at("unix://" + tmp.resolve("no-engine.sock"))) {
            assertThat(dead.reachable()).isFalse();
            assertThat(dead.host()).endsWith("no-engine.sock");
        }
    }
}
