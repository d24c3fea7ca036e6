package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.server.support.KilnProcess;
import dev.kiln.server.support.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `kiln agent --executor docker|process|auto`, as a user runs it, with the Docker engine absent (a dead DOCKER_HOST). */
class AgentExecutorOptionTest {
    @TempDir Path tmp;

    private KilnProcess agent(Map<String, String> env, String... executor) throws Exception {
        TestServer.reachable(tmp);
        Path token = Files.writeString(tmp.resolve("agent.token"), "t\n");
        List<String> args = new java.util.ArrayList<>(List.of("agent", "--server", "http://127.0.0.1:9", "--token-file",
                token.toString(), "--workdir", tmp.resolve("w").toString()));
        args.addAll(List.of(executor));
        return KilnProcess.start(tmp, env, List.of(), args.toArray(String[]::new));
    }

    @Test
    void docker_without_an_engine_refuses_to_start_naming_where_it_looked() throws Exception {
        String dead = "unix://" + tmp.resolve("no-engine.sock");
        try (KilnProcess a = agent(Map.of("DOCKER_HOST", dead), "--executor", "docker")) {
            assertThat(a.awaitExit(Duration.ofSeconds(30))).isEqualTo(2);
            assertThat(a.output()).contains("ERROR: --executor docker: no Docker engine answers at " + dead
                    + "; start dockerd or set DOCKER_HOST");
        }
    }

    @Test
    void auto_without_an_engine_runs_process_steps_only_and_offers_no_docker_label() throws Exception {
        String dead = "unix://" + tmp.resolve("no-engine.sock");
        try (KilnProcess a = agent(Map.of("DOCKER_HOST", dead), "--labels", "gpu")) {
            String steps = a.awaitLine("Steps: (.*)", Duration.ofSeconds(30));
            assertThat(steps).isEqualTo("process steps only: no Docker engine answers at " + dead + " (--executor auto)");
            assertThat(a.output()).contains("with labels [gpu]").doesNotContain("docker]");
        }
    }

    @Test
    void auto_with_the_engine_offers_the_docker_label() throws Exception {
        dev.kiln.agent.docker.TestImages.engine();
        try (KilnProcess a = agent(Map.of())) {
            a.awaitLine("Steps: process steps, and steps in images", Duration.ofSeconds(30));
            assertThat(a.output()).contains("with labels [docker]");
        }
    }

    @Test
    void an_unknown_executor_is_refused() throws Exception {
        try (KilnProcess a = agent(Map.of(), "--executor", "kubernetes")) {
            assertThat(a.awaitExit(Duration.ofSeconds(30))).isEqualTo(2);
            assertThat(a.output()).contains("ERROR: --executor must be docker, process or auto, not 'kubernetes'");
        }
    }
}
