package dev.kiln.server.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.agent.StepExecutors;
import dev.kiln.agent.http.HttpAgentApi;
import dev.kiln.agent.run.BuildRunner;
import dev.kiln.agent.run.StepEnvironment;
import dev.kiln.server.support.GitCli;
import dev.kiln.server.support.TestServer;
import dev.kiln.spec.api.BuildView;
import dev.kiln.spec.api.MetricView;
import dev.kiln.spec.api.RepoRequest;
import dev.kiln.spec.api.TriggerRun;
import dev.kiln.spec.api.TriggerView;
import dev.kiln.spec.protocol.LeaseRequest;
import dev.kiln.spec.protocol.ProductionListing;
import dev.kiln.spec.protocol.RefusedCallException;
import dev.kiln.spec.protocol.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built-in step {@code kiln/production-artifacts} through a real server: the embedded agent (in
 * process) and an agent over HTTP fetch the files an earlier build kept into a candidate build's
 * workspace, where a later step reads them; with no production model the step says so and passes.
 */
class ProductionArtifactsTest {
    private static final String REPO = "churn";
    private static final String COMMIT = "abc1234def5678abc1234def5678abc1234def56";
    /** A candidate's pipeline: fetch production's files, then score "both" models in one step. */
    private static final String CANDIDATE = """
            steps:
              - name: kiln/production-artifacts
                id: production
              - id: evaluate
                script: |
                  echo '{"accuracy": 0.93}' > metrics.json
                  if [ -f production/model.pkl ]; then
                    sha256sum production/model.pkl
                    echo "::metric production_accuracy=$(sed 's/[^0-9.]//g' production/metrics.json)"
                  else
                    echo "no production model to compare with"
                  fi
                  ls -A production | wc -l
                metrics: metrics.json
            """;

    @TempDir Path tmp;

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    /** Commits {@code buildYaml} on dev of the hosted repo, straight into its directory, and runs trigger dev on it. */
    private static BuildView repoBuild(TestServer kiln, Path tmp, String buildYaml) throws Exception {
        GitCli git = GitCli.in(tmp);
        Path work = tmp.resolve("churn-work");
        if (!Files.isDirectory(work.resolve(".git"))) {
            git.init(work, "dev");
        }
        git.commit(work, "build", Map.of("build.yaml", buildYaml));
        git.run(work, "push", "-q", "-f", kiln.dataDir.resolve("git").resolve(REPO + ".git").toString(), "dev:refs/heads/dev");
        return kiln.api.runTrigger("dev", new TriggerRun("dev", null, null, null));
    }

    /** The build that kept {@code model.pkl} and {@code metrics.json}: what production is in these tests. */
    private static String productionBuild(TestServer kiln, Path dir, byte[] model) throws Exception {
        Path src = TestServer.repo(dir, Map.of("build.yaml", """
                steps:
                  - id: train
                    script: |
                      cp data/model.bin model.pkl
                      echo '{"accuracy": 0.91}' > metrics.json
                    artifacts: [model.pkl, metrics.json]
                """));
        Files.createDirectories(src.resolve("data"));
        Files.write(src.resolve("data/model.bin"), model);
        BuildView b = kiln.awaitEnd(kiln.submit(TestServer.reachable(src)).id(), Duration.ofSeconds(60));
        assertThat(b.status()).as(b.statusDetail()).isEqualTo(Status.SUCCESS);
        return b.id();
    }

    private static void hostedRepo(TestServer kiln) throws Exception {
        kiln.api.createRepo(new RepoRequest(REPO, null, null, null, null));
        kiln.api.createTrigger(new TriggerView("dev", REPO, "^dev$", null, false, null, List.of(), List.of(), Map.of(),
                true, null));
    }

    @Test
    void a_candidate_fetches_productions_files_checked_and_a_later_step_scores_them_in_the_same_build() throws Exception {
        byte[] model = new byte[200_000];
        new Random(7).nextBytes(model);
        try (TestServer kiln = TestServer.start(tmp.resolve("data"))) {
            hostedRepo(kiln);
            String prod = productionBuild(kiln, tmp.resolve("prod"), model);

            // No production model yet: the step says so, leaves an empty directory, and the build goes on.
            BuildView first = kiln.awaitEnd(repoBuild(kiln, tmp, CANDIDATE).id(), Duration.ofSeconds(60));
            assertThat(first.status()).as(first.statusDetail()).isEqualTo(Status.SUCCESS);
            assertThat(first.labels()).doesNotContain("docker");
            assertThat(kiln.logText(first.id(), 0))
                    .isEqualTo("kiln: no production model yet for churn: nothing fetched into production/\n");
            assertThat(kiln.logText(first.id(), 1)).contains("no production model to compare with").endsWith("0\n");

            kiln.server.productionSource(repo -> repo.equals(REPO)
                    ? Optional.of(new ProductionSource.Production(3, COMMIT, prod)) : Optional.empty());
            BuildView second = kiln.awaitEnd(repoBuild(kiln, tmp, CANDIDATE).id(), Duration.ofSeconds(60));
            assertThat(second.status()).as(second.statusDetail()).isEqualTo(Status.SUCCESS);
            assertThat(kiln.logText(second.id(), 0)).endsWith("kiln: fetched 2 artifacts of churn production v3 (commit"
                    + " abc1234, build " + prod + ") into production/\n")
                    .contains("kiln:   production/model.pkl (195 KiB, sha256 " + sha256(model) + ")");
            assertThat(kiln.logText(second.id(), 1)).contains(sha256(model) + "  production/model.pkl").endsWith("2\n");
            assertThat(second.metrics()).contains(new MetricView("accuracy", 0.93, "evaluate"),
                    new MetricView("production_accuracy", 0.91, "evaluate"));

            // A build of no repo (kiln submit) has no production model, whatever production is elsewhere.
            Path submitted = TestServer.repo(tmp.resolve("submitted"), Map.of("build.yaml", CANDIDATE));
            BuildView loose = kiln.awaitEnd(kiln.submit(TestServer.reachable(submitted)).id(), Duration.ofSeconds(60));
            assertThat(loose.status()).as(loose.statusDetail()).isEqualTo(Status.SUCCESS);
            assertThat(kiln.logText(loose.id(), 0)).isEqualTo("kiln: this build is of no repo (kiln submit), so it has"
                    + " no production model: nothing fetched into production/\n");
        }
    }

    @Test
    void an_agent_over_http_fetches_them_under_its_lease_and_nothing_else() throws Exception {
        byte[] model = "a small model\n".getBytes();
        try (TestServer kiln = TestServer.start(tmp.resolve("data"))) {
            hostedRepo(kiln);
            String prod = productionBuild(kiln, tmp.resolve("prod"), model);
            kiln.server.productionSource(repo -> Optional.of(new ProductionSource.Production(3, COMMIT, prod)));
            // Only an agent offering 'remote' takes it: the embedded agent does not.
            String id = repoBuild(kiln, tmp, CANDIDATE.replace("steps:", "options:\n  agent:\n    labels: [remote]\nsteps:")
                    .replace("  - name: kiln/production-artifacts\n", "  - name: kiln/production-artifacts\n    dir: /workspace/baseline\n")
                    .replace("production/", "baseline/")).id();
            HttpAgentApi agent = new HttpAgentApi(kiln.server.url(), kiln.server.agentToken());
            var lease = agent.lease(new LeaseRequest(LeaseRequest.PROTOCOL, "remote-1", "h", List.of("remote")),
                    Duration.ofSeconds(10)).orElseThrow();
            assertThat(lease.buildId()).isEqualTo(id);

            ProductionListing listed = agent.production(id, lease.leaseId());
            assertThat(listed).isEqualTo(new ProductionListing(REPO, 3, COMMIT, prod, List.of(
                    new ProductionListing.Artifact("metrics.json", 19, sha256("{\"accuracy\": 0.91}\n".getBytes())),
                    new ProductionListing.Artifact("model.pkl", model.length, sha256(model)))));
            try (var in = agent.productionFile(id, lease.leaseId(), prod, "model.pkl")) {
                assertThat(in.readAllBytes()).isEqualTo(model);
            }
            // Another build's files, or a file production does not have, are not served through this door.
            String other = kiln.endedBuild(tmp.resolve("other"));
            assertThatThrownBy(() -> agent.productionFile(id, lease.leaseId(), other, "model.pkl"))
                    .isInstanceOf(RefusedCallException.class).hasMessage("build " + other
                            + " is not the production model of repo churn (that is v3, build " + prod
                            + "; production may have moved since the listing: run the build again)");
            assertThatThrownBy(() -> agent.productionFile(id, lease.leaseId(), prod, "../model.pkl"))
                    .isInstanceOf(RefusedCallException.class).hasMessage("the production build " + prod + " has no artifact ../model.pkl");

            // The whole build, run by a real runner over HTTP: the files land in baseline/ and the next step reads them.
            var steps = StepExecutors.create(StepExecutors.Mode.PROCESS, StepEnvironment.ofThisUser(), "production-test");
            Status end = new BuildRunner(agent, steps.executor(), Files.createDirectories(tmp.resolve("remote-work")),
                    1L << 20, false).run(lease);
            assertThat(end).isEqualTo(Status.SUCCESS);
            assertThat(kiln.logText(id, 0)).endsWith("kiln: fetched 2 artifacts of churn production v3 (commit abc1234,"
                    + " build " + prod + ") into baseline/\n");
            assertThat(kiln.logText(id, 1)).contains(sha256(model) + "  baseline/model.pkl");
        }
    }
}
