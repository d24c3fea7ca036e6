package dev.kiln.server.results;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.agent.http.HttpAgentApi;
import dev.kiln.server.KilnServer;
import dev.kiln.server.support.KilnProcess;
import dev.kiln.server.support.RawHttp;
import dev.kiln.server.web.WebSession;
import dev.kiln.server.support.TestServer;
import dev.kiln.spec.api.BuildView;
import dev.kiln.spec.api.BuildWarning;
import dev.kiln.spec.api.MetricView;
import dev.kiln.spec.json.Json;
import dev.kiln.spec.metrics.Metric;
import dev.kiln.spec.metrics.MetricsReport;
import dev.kiln.spec.protocol.LeaseLostException;
import dev.kiln.spec.protocol.LeaseRequest;
import dev.kiln.spec.protocol.Status;
import dev.kiln.spec.protocol.StepResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Metrics from a step's {@code metrics:} file and its {@code ::metric} lines, through a real server and agent. */
class BuildMetricsTest {
    @TempDir Path tmp;

    @Test
    void a_quickstart_style_build_records_its_metrics_with_the_step_that_reported_them() throws Exception {
        try (TestServer kiln = TestServer.start(tmp.resolve("data"))) {
            Path repo = TestServer.repo(tmp.resolve("repo"), Map.of("build.yaml", """
                    steps:
                      - id: train
                        dir: model
                        script: |
                          echo training
                          echo '::metric train_seconds=12.5'
                          printf '{"accuracy": 0.93, "f1": 0.88, "rows": 7043}' > metrics.json
                        metrics: metrics.json
                      - id: evaluate
                        args: [sh, -c, 'echo "  ::metric latency_p95_ms=41"; echo "::metric <b>x</b>=1"']
                    """, "model/.keep", ""));
            BuildView end = kiln.awaitEnd(kiln.submit(repo).id(), Duration.ofSeconds(30));

            assertThat(end.status()).isEqualTo(Status.SUCCESS);
            assertThat(end.metrics()).containsExactly(
                    new MetricView("train_seconds", 12.5, "train"),
                    new MetricView("accuracy", 0.93, "train"),
                    new MetricView("f1", 0.88, "train"),
                    new MetricView("rows", 7043, "train"),
                    new MetricView("latency_p95_ms", 41, "evaluate"));
            assertThat(end.warnings()).containsExactly(new BuildWarning("evaluate", "line 2: metric name '<b>x</b>' must"
                    + " start with a letter or '_' and hold only letters, digits, '_', '.', '-' and '/'; not recorded"));
            assertThat(kiln.logText(end.id(), 1)).endsWith("[kiln] warning: line 2: metric name '<b>x</b>' must"
                    + " start with a letter or '_' and hold only letters, digits, '_', '.', '-' and '/'; not recorded\n");

            // The build page, signed in: a table of them, and the warning escaped.
            RawHttp.Response page = RawHttp.send(kiln.server.port(), "GET", "/builds/" + end.id(),
                    Map.of("Cookie", WebSession.adminCookie(kiln)), new byte[0]);
            assertThat(page.status()).isEqualTo(200);
            assertThat(page.body()).contains("<h2 id=\"metrics-h\">Metrics</h2>")
                    .contains("<th scope=\"row\"><code>accuracy</code></th><td class=\"num\">0.93</td><td class=\"dim\">train</td>")
                    .contains("<td class=\"num\">7043</td>")
                    .contains("metric name '&lt;b&gt;x&lt;/b&gt;'").doesNotContain("<b>x</b>");

            // The CLI, as text and as JSON.
            String[] server = {"--server", kiln.server.url(), "--token", kiln.server.adminToken()};
            KilnProcess text = KilnProcess.start(tmp, concat(new String[] {"builds", "describe", end.id()}, server));
            assertThat(text.awaitExit(Duration.ofSeconds(30))).as(text.output()).isZero();
            assertThat(text.output()).contains("metrics:\n  train_seconds: 12.5  (step train)\n  accuracy: 0.93  (step train)\n")
                    .contains("  rows: 7043  (step train)\n  latency_p95_ms: 41  (step evaluate)\n")
                    .contains("warnings:\n  - step evaluate: line 2: metric name '<b>x</b>'");
            KilnProcess json = KilnProcess.start(tmp, concat(new String[] {"builds", "describe", end.id(), "--format", "json"},
                    server));
            assertThat(json.awaitExit(Duration.ofSeconds(30))).as(json.output()).isZero();
            var tree = Json.MAPPER.readTree(json.output());
            assertThat(tree.get("metrics").get(1).toString()).isEqualTo("{\"name\":\"accuracy\",\"value\":0.93,\"step\":\"train\"}");
        }
    }

    @Test
    void a_secret_a_step_puts_in_its_metrics_file_is_masked_in_the_warning_about_it() throws Exception {
        try (TestServer kiln = TestServer.start(tmp.resolve("data"))) {
            String value = "metric-secret-value-42";
            kiln.api.setSecret("deploy-token", null, value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            Path repo = TestServer.repo(tmp.resolve("repo"), Map.of("build.yaml", """
                    steps:
                      - id: train
                        secretEnv: [TOKEN]
                        args: [sh, -c, 'printf ''{"token": "%s", "accuracy": 0.9}'' "$$TOKEN" > m.json']
                        metrics: m.json
                    availableSecrets:
                      secretManager:
                        - versionName: deploy-token
                          env: TOKEN
                    """));
            BuildView end = kiln.awaitEnd(kiln.submit(repo).id(), Duration.ofSeconds(30));

            assertThat(end.status()).isEqualTo(Status.SUCCESS);
            assertThat(end.metrics()).containsExactly(new MetricView("accuracy", 0.9, "train"));
            assertThat(end.warnings()).extracting(BuildWarning::message)
                    .containsExactly("m.json: metric 'token' is the string \"***\", not a number; not recorded");
            assertThat(end.toString() + kiln.logText(end.id(), 0)).doesNotContain(value);
        }
    }

    @Test
    void bad_values_missing_files_and_duplicates_are_warnings_on_the_build_and_in_the_log() throws Exception {
        try (TestServer kiln = TestServer.start(tmp.resolve("data"))) {
            Path repo = TestServer.repo(tmp.resolve("repo"), Map.of("build.yaml", """
                    steps:
                      - id: train
                        script: |
                          echo '::metric accuracy=0.80'
                          echo '::metric loss=NaN'
                          echo '::metric f1=high'
                          printf '{"accuracy": 0.85, "label": "good", "auc": NaN, "nested": {"a": 1}}' > m.json
                        metrics: m.json
                      - id: eval
                        script: |
                          echo '::metric accuracy=0.9'
                          printf 'not json' > eval.json
                        metrics: eval.json
                      - id: lost
                        args: ['true']
                        metrics: never-written.json
                      - id: escape
                        script: ln -s /etc/passwd outside.json
                        metrics: outside.json
                      - id: failed
                        script: |
                          echo '::metric accuracy=0.1'
                          printf '{"accuracy": 0.1}' > f.json
                          exit 3
                        metrics: f.json
                        allowFailure: true
                    """));
            BuildView end = kiln.awaitEnd(kiln.submit(repo).id(), Duration.ofSeconds(30));

            assertThat(end.status()).isEqualTo(Status.SUCCESS);
            // The later step wins; a failed step's numbers are not recorded at all.
            assertThat(end.metrics()).containsExactly(new MetricView("accuracy", 0.9, "eval"));
            assertThat(end.warnings()).extracting(w -> w.step() + ": " + w.message()).containsExactly(
                    "train: line 2: metric 'loss' is 'NaN', not a number; not recorded",
                    "train: line 3: metric 'f1' is 'high', not a number; not recorded",
                    "train: m.json: metric 'label' is the string \"good\", not a number; not recorded",
                    "train: m.json: metric 'auc' is NaN, not a finite number; not recorded",
                    "train: m.json: metric 'nested' is an object (the file must be flat), not a number; not recorded",
                    "eval: metrics file eval.json is not valid JSON (" + warningDetail(end, "eval") + ");"
                            + " nothing recorded from it",
                    "lost: metrics file never-written.json was not written by the step; nothing recorded from it",
                    "escape: metrics file outside.json: outside.json leads outside the workspace (a symbolic link?);"
                            + " not read",
                    "train: metric 'accuracy' was reported by step 'train' in its output (0.8) and by step 'train' in"
                            + " its metrics file (0.85); 0.85 is kept: a step's metrics file wins over its output",
                    "eval: metric 'accuracy' was reported by step 'train' in its metrics file (0.85) and by step 'eval'"
                            + " in its output (0.9); 0.9 is kept: the step later in the config wins");
            assertThat(kiln.logText(end.id(), 0))
                    .contains("[kiln] warning: m.json: metric 'label' is the string \"good\", not a number; not recorded\n")
                    .contains("[kiln] warning: line 2: metric 'loss' is 'NaN', not a number; not recorded\n");
            assertThat(kiln.logText(end.id(), 2)).isEqualTo("[kiln] warning: metrics file never-written.json was not"
                    + " written by the step; nothing recorded from it\n");
            assertThat(kiln.logText(end.id(), 3)).doesNotContain("root:");
        }
    }

    @Test
    void a_resent_log_chunk_or_step_end_never_counts_a_metric_twice_and_only_the_lease_holder_reports() throws Exception {
        KilnServer.Config config = KilnServer.Config.defaults(tmp.resolve("data")).withPort(0).withLocalAgent(false);
        try (TestServer kiln = TestServer.start(config)) {
            String id = kiln.submit(TestServer.repo(tmp.resolve("repo"), Map.of("build.yaml", """
                    steps:
                      - id: train
                        args: ['true']
                        metrics: m.json
                    """))).id();
            HttpAgentApi agent = new HttpAgentApi(kiln.server.url(), kiln.server.agentToken());
            var lease = agent.lease(new LeaseRequest(LeaseRequest.PROTOCOL, "a1", "h", List.of()), Duration.ofSeconds(10))
                    .orElseThrow();
            String b = lease.buildId();
            String l = lease.leaseId();
            agent.stepStarted(b, l, 0, System.currentTimeMillis());
            byte[] chunk = "::metric accuracy=0.5\n::metric bad=x\n".getBytes(StandardCharsets.UTF_8);
            agent.appendLog(b, l, 0, 0, chunk, 0, chunk.length);
            agent.appendLog(b, l, 0, 0, chunk, 0, chunk.length); // a resend after a lost answer
            MetricsReport file = new MetricsReport(List.of(new Metric("auc", 0.7)), List.of("m.json: metric 'x' is null"));
            agent.metricsReported(b, l, 0, file);
            agent.metricsReported(b, l, 0, file);
            StepResult ok = new StepResult(Status.SUCCESS, 0, 1, 2, null);
            agent.stepFinished(b, l, 0, ok);
            agent.stepFinished(b, l, 0, ok);
            try {
                agent.metricsReported(b, "someone-elses-lease", 0, file);
                throw new AssertionError("a report without the lease was taken");
            } catch (LeaseLostException expected) {
                // only the agent holding the build's lease reports for it
            }

            BuildView view = kiln.api.get(b);
            assertThat(view.metrics()).containsExactly(new MetricView("accuracy", 0.5, "train"), new MetricView("auc", 0.7, "train"));
            assertThat(view.warnings()).extracting(BuildWarning::message).containsExactly(
                    "line 2: metric 'bad' is 'x', not a number; not recorded", "m.json: metric 'x' is null");
            assertThat(kiln.logText(b, 0)).isEqualTo("::metric accuracy=0.5\n::metric bad=x\n"
                    + "[kiln] warning: line 2: metric 'bad' is 'x', not a number; not recorded\n");
            agent.buildFinished(b, l, Status.SUCCESS, null);
        }
    }

    /** Jackson's words for what is wrong with the file, which this test does not pin. */
    private static String warningDetail(BuildView b, String step) {
        String w = b.warnings().stream().filter(x -> x.step().equals(step)).findFirst().orElseThrow().message();
        return w.substring(w.indexOf('(') + 1, w.lastIndexOf(')'));
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
