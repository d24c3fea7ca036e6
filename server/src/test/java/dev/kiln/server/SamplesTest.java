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
            assertThat(kiln.logText(end.id(), 0)).contains("13 passed");
            assertThat(kiln.logText(end.id(), 3)).contains("::metric accuracy=", "PASS");
            // Its ::metric lines are the build's metrics, each with its step; the model is kept.
            assertThat(end.metrics()).extracting(m -> m.name() + "@" + m.step()).contains("train_accuracy@train",
                    "cv_accuracy@train", "accuracy@evaluate", "roc_auc@evaluate");
            assertThat(end.metrics()).filteredOn(m -> m.name().equals("accuracy")).singleElement()
                    .satisfies(m -> assertThat(m.value()).isBetween(0.75, 1.0));
            assertThat(end.warnings()).isEmpty();
            assertThat(kiln.api.artifacts(end.id())).extracting(a -> a.path() + "@" + a.step())
                    .containsExactly("metrics.json@evaluate", "model.pkl@evaluate");
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
        for (Path config : new Path[] {ROOT.resolve("buildspec.yaml"), ROOT.resolve("samples/quickstart/build.yaml"),
                ROOT.resolve("samples/churn-service/build.yaml")}) {
            BuildSpec spec = ConfigParser.parse(config.getFileName().toString(), Files.readAllBytes(config));
            assertThat(spec.warnings()).as(config.toString()).isEmpty();
            assertThat(Planner.plan(spec, BuildContext.submit("b", "p", Map.of())).steps()).isNotEmpty();
        }
    }

    @Test
    void the_level_2_sample_plans_its_containers_with_the_registry_and_the_build_id() throws Exception {
        Path config = ROOT.resolve("samples/churn-service/build.yaml");
        BuildSpec spec = ConfigParser.parse("build.yaml", Files.readAllBytes(config));
        assertThat(spec.warnings()).isEmpty();
        var plan = Planner.plan(spec, BuildContext.submit("b1", "p", Map.of("_REGISTRY", "127.0.0.1:5999")));
        var steps = plan.steps();
        String image = "127.0.0.1:5999/churn-service:b1";

        assertThat(steps).extracting(s -> s.id() + "@" + s.image()).containsExactly(
                "unit-tests@null", "validate-data@null", "train@null", "production-model@kiln/production-artifacts",
                "evaluate@null", "build-image@gcr.io/cloud-builders/docker", "start-service@gcr.io/cloud-builders/docker",
                "functional-test@" + image, "stop-service@gcr.io/cloud-builders/docker",
                "push-image@gcr.io/cloud-builders/docker", "tf-init@hashicorp/terraform:kiln-standin",
                "tf-plan@hashicorp/terraform:kiln-standin", "tf-apply@hashicorp/terraform:kiln-standin");
        assertThat(steps.get(5).args()).containsExactly("build", "--build-arg", "BASE_IMAGE=kiln-samples/python-ml:bookworm",
                "-t", image, "-t", "127.0.0.1:5999/churn-service:latest", ".");
        assertThat(steps.get(6).args()).containsSubsequence("--network", "cloudbuild", "--name", "churn-svc-b1", image);
        assertThat(steps.get(7).args()).contains("http://churn-svc-b1:8080");
        for (var tf : steps.subList(10, 13)) {
            assertThat(tf.dir()).isEqualTo("infra");
            assertThat(tf.env()).contains("TF_IN_AUTOMATION=1", "TF_VAR_environment=dev", "TF_VAR_image=" + image);
        }
        assertThat(steps.get(12).args()).containsExactly("apply", "-input=false", "tfplan");
        // Deploy only what passed: plan waits for the push (after the functional test) and for init.
        assertThat(steps.get(11).waitFor()).containsExactlyInAnyOrder(9, 10);
        assertThat(steps.get(9).waitFor()).containsExactly(8);
        assertThat(steps.get(4).waitFor()).as("evaluate waits for the production model's files").containsExactly(2, 3);
        assertThat(plan.images()).containsExactly(image, "127.0.0.1:5999/churn-service:latest");
    }

    /** Each sample is a repo of its own (a submit packs one directory), so the level-2 sample carries a copy of the model code. */
    @Test
    void the_level_2_sample_trains_the_quickstarts_model_on_the_quickstarts_data() throws Exception {
        for (String file : new String[] {"churn/data.py", "churn/train.py", "churn/evaluate.py", "churn/validate.py",
                "churn/metrics.py", "data/churn.csv", "data/make_data.py", "tests/conftest.py", "tests/test_data.py",
                "tests/test_model.py"}) {
            assertThat(ROOT.resolve("samples/churn-service").resolve(file)).as(file)
                    .hasSameTextualContentAs(ROOT.resolve("samples/quickstart").resolve(file));
        }
    }
}
