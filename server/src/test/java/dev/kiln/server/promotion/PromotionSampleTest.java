package dev.kiln.server.promotion;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.kiln.server.support.RawHttp;
import dev.kiln.server.support.Requirements;
import dev.kiln.spec.api.BuildView;
import dev.kiln.spec.api.ModelVersionView;
import dev.kiln.spec.api.PolicyRequest;
import dev.kiln.spec.api.PromotionView;
import dev.kiln.spec.protocol.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's promotion walkthrough on the level-2 sample's real code and data: a push to dev,
 * the promotion awaiting approval with the metrics the sample really measures, an approval, prod
 * built and model v1 registered, then a push of a worse model (the one-line change of {@code _C}
 * the walkthrough makes) stopped by the gate against production.
 *
 * <p>The builds run the sample's process steps only (unit tests, data validation, training,
 * evaluation: its build.yaml up to the container steps): the image build, service and Terraform
 * steps take a minute per build and need the sample's images and a registry, and
 * {@code ChurnServiceSampleTest} covers them. What a promotion looks at, the metrics and the
 * artifacts, comes from the steps kept here.
 */
class PromotionSampleTest {
    private static final Path SAMPLE = Path.of("..").toAbsolutePath().normalize().resolve("samples/churn-service");
    private static final String CONTAINER_PART = "  # 3. The prediction service's image";
    private static final Duration BUILD = Duration.ofSeconds(180);

    @TempDir Path tmp;
    PromotionRig rig;

    @AfterEach
    void stop() {
        if (rig != null) {
            rig.close();
        }
    }

    @Test
    void the_sample_is_gated_approved_promoted_and_a_worse_model_is_stopped_by_the_gate() throws Exception {
        Requirements.mlPython();
        rig = PromotionRig.start(tmp, null, true);
        String config = processSteps();
        copySample(rig.work);
        // The walkthrough's policy (README: "Promoting the model").
        rig.policy(new PolicyRequest("dev", "prod", true, 1, null, false, "7d",
                List.of("accuracy >= 0.75", "roc_auc >= 0.85", "accuracy >= production - 0.01")));

        BuildView dev = rig.pushDev("churn service", Map.of("build.yaml", config), BUILD);
        assertThat(dev.status()).as("%s", dev).isEqualTo(Status.SUCCESS);
        PromotionView p = rig.newest();
        assertThat(p.state()).as(p.detail()).isEqualTo("AWAITING_APPROVAL");
        assertThat(p.build()).isEqualTo(dev.id());
        assertThat(p.metrics()).containsEntry("accuracy", 0.8).containsEntry("roc_auc", 0.9214)
                .containsEntry("test_rows", 75.0).doesNotContainKey("production_accuracy");
        assertThat(p.artifacts()).extracting(a -> a.path()).containsExactlyInAnyOrder("model.pkl", "metrics.json");
        assertThat(p.gates()).extracting(g -> g.gate() + " " + g.verdict()).containsExactly(
                "accuracy >= 0.75 PASS", "roc_auc >= 0.85 PASS", "accuracy >= production - 0.01 NOT_APPLICABLE");
        assertThat(p.detail()).contains("first promotion");

        RawHttp.Response approved = rig.approve("alice", p);
        assertThat(approved.status()).as(approved.body()).isEqualTo(200);
        assertThat(rig.prodHead()).isEqualTo(p.commit());
        BuildView prod = rig.handled(rig.awaitBuild("prod", p.commit(), BUILD));
        assertThat(prod.status()).isEqualTo(Status.SUCCESS);
        PromotionView done = rig.get(p.id());
        assertThat(done.state()).isEqualTo("PROMOTED");
        assertThat(done.modelVersion()).isEqualTo(1);
        assertThat(done.prodBuild()).isEqualTo(prod.id());
        List<ModelVersionView> history = PromotionRig.ok(rig.call("dana", "GET", "/api/models/churn", null),
                new TypeReference<List<ModelVersionView>>() {});
        assertThat(history).singleElement().satisfies(v -> {
            assertThat(v.version()).isEqualTo(1);
            assertThat(v.production()).isTrue();
            assertThat(v.commit()).isEqualTo(p.commit());
            assertThat(v.metrics()).containsEntry("accuracy", 0.8);
        });

        // The walkthrough's worse model: one line of build.yaml, _C: '0.1' (held-out accuracy 0.7733).
        assertThat(config).contains("  _C: '1.0'");
        BuildView worse = rig.pushDev("less regularisation", Map.of("build.yaml", config.replace("  _C: '1.0'", "  _C: '0.1'")),
                BUILD);
        assertThat(worse.status()).as("the worse model still passes the build's own _MIN_ACCURACY").isEqualTo(Status.SUCCESS);
        PromotionView stopped = rig.newest();
        assertThat(stopped.build()).isEqualTo(worse.id());
        assertThat(stopped.state()).isEqualTo("GATES_FAILED");
        assertThat(stopped.productionVersion()).isEqualTo(1);
        assertThat(stopped.metrics()).containsEntry("accuracy", 0.7733);
        assertThat(stopped.gates()).extracting(g -> g.gate() + " " + g.verdict()).containsExactly(
                "accuracy >= 0.75 PASS", "roc_auc >= 0.85 PASS", "accuracy >= production - 0.01 FAIL");
        assertThat(stopped.detail()).isEqualTo("gate failed: 'accuracy >= production - 0.01': accuracy is 0.7733, not >= 0.79");
        assertThat(rig.approve("alice", stopped).status()).isEqualTo(409);
        assertThat(rig.prodHead()).isEqualTo(p.commit());
    }

    /**
     * The sample's build.yaml up to its container steps; the substitutions only they use (_REGISTRY,
     * _ENV...) are then unused, which Kiln refuses unless told to allow it.
     */
    static String processSteps() throws Exception {
        String full = Files.readString(SAMPLE.resolve("build.yaml"));
        int cut = full.indexOf(CONTAINER_PART);
        assertThat(cut).as("build.yaml still has the comment before its container steps").isPositive();
        assertThat(full).contains("\noptions:\n");
        return full.substring(0, cut).replace("\noptions:\n", "\noptions:\n  substitutionOption: ALLOW_LOOSE\n");
    }

    /** The sample's files, as its .gitignore lets them be committed. */
    static void copySample(Path to) throws Exception {
        try (var files = Files.walk(SAMPLE)) {
            for (Path from : (Iterable<Path>) files::iterator) {
                String rel = SAMPLE.relativize(from).toString();
                if (rel.contains("__pycache__")) {
                    continue;
                }
                Path target = to.resolve(rel);
                if (Files.isDirectory(from)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(from, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
