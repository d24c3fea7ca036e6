package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.server.support.Requirements;
import dev.kiln.server.support.TestServer;
import dev.kiln.spec.api.BuildView;
import dev.kiln.spec.config.BuildSpec;
import dev.kiln.spec.config.ConfigParser;
import dev.kiln.spec.plan.BuildContext;
import dev.kiln.spec.plan.Planner;
import dev.kiln.spec.protocol.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The samples a new user runs first, and Kiln's own pipeline, work as the README says. */
class SamplesTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    @TempDir Path tmp;

    @Test
    void the_quickstart_sample_trains_evaluates_and_succeeds_with_its_allowed_failure() throws Exception {
        Requirements.mlPython();
        try (TestServer kiln = TestServer.start(tmp.resolve("data"))) {
            BuildView end = kiln.awaitEnd(kiln.submit(ROOT.resolve("samples/quickstart")).id(), Duration.ofSeconds(120));

            assertThat(end.status()).as("%s", end).isEqualTo(Status.SUCCESS);
            assertThat(end.steps()).extracting(s -> s.id() + "=" + s.status()).containsExactly(
                    "unit-tests=SUCCESS", "validate-data=SUCCESS", "train=SUCCESS", "evaluate=SUCCESS",
                    "slice-report=FAILURE", "summary=SUCCESS");
            assertThat(kiln.logText(end.id(), 0)).contains("11 passed");
            assertThat(kiln.logText(end.id(), 3)).contains("::metric accuracy=", "PASS");
            // The two checks ran side by side: each started before the other finished.
            var tests = end.steps().get(0);
            var data = end.steps().get(1);
            assertThat(tests.startTime()).isBefore(data.finishTime());
            assertThat(data.startTime()).isBefore(tests.finishTime());
        }
    }

    @Test
    void the_quickstart_accuracy_gate_fails_the_build_when_raised() throws Exception {
        Requirements.mlPython();
        try (TestServer kiln = TestServer.start(tmp.resolve("data"))) {
            BuildView end = kiln.awaitEnd(kiln.submit(ROOT.resolve("samples/quickstart"), Map.of("_MIN_ACCURACY", "0.99")).id(),
                    Duration.ofSeconds(120));
            assertThat(end.status()).isEqualTo(Status.FAILURE);
            assertThat(end.steps().get(3).status()).isEqualTo(Status.FAILURE);
            assertThat(end.steps().get(5).status()).isEqualTo(Status.SKIPPED);
        }
    }

    @Test
    void kilns_own_pipeline_and_every_sample_config_are_valid() throws Exception {
        for (Path config : new Path[] {ROOT.resolve("buildspec.yaml"), ROOT.resolve("samples/quickstart/build.yaml")}) {
            BuildSpec spec = ConfigParser.parse(config.getFileName().toString(), Files.readAllBytes(config));
            assertThat(spec.warnings()).as(config.toString()).isEmpty();
            assertThat(Planner.plan(spec, BuildContext.submit("b", "p", Map.of())).steps()).isNotEmpty();
        }
    }
}
