package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.server.support.KilnProcess;
import dev.kiln.server.support.TestServer;
import dev.kiln.spec.protocol.Status;
import java.nio.file.Path;
import java.time.Duration;
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
    void interrupting_a_submit_cancels_its_build() throws Exception {
        try (TestServer kiln = TestServer.start(tmp.resolve("data"))) {
            Path repo = TestServer.repo(tmp.resolve("repo"), Map.of("build.yaml", """
                    steps:
                      - script: |
                          echo waiting
                          sleep 60
                    """));
            KilnProcess submit = KilnProcess.start(tmp, "submit", repo.toString(), "--server", kiln.server.url());
            submit.awaitLine("Step #0: waiting", Duration.ofSeconds(30));
            submit.process.destroy(); // SIGTERM, as Ctrl-C's SIGINT: both run the shutdown hooks
            submit.awaitExit(Duration.ofSeconds(20));
            String id = kiln.api.list(1).get(0).id();
            assertThat(kiln.awaitEnd(id, Duration.ofSeconds(10)).status()).isEqualTo(Status.CANCELLED);
            assertThat(submit.output()).contains("Cancelled build " + id);
        }
    }
}
