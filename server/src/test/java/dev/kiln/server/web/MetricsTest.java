package dev.kiln.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.agent.client.BuildWatcher;
import dev.kiln.server.support.TestServer;
import dev.kiln.spec.api.BuildView;
import dev.kiln.spec.protocol.Status;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /metrics} after real builds: the figures move as an operator would expect them to. */
class MetricsTest {
    @TempDir Path tmp;
    TestServer kiln;

    @BeforeEach
    void start() throws Exception {
        TestServer.reachable(tmp);
        kiln = TestServer.start(tmp.resolve("data"));
    }

    @AfterEach
    void stop() {
        kiln.close();
    }

    private String scrape() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(kiln.server.url() + "/metrics"))
                .header("Authorization", "Bearer " + kiln.server.adminToken()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    /** The value of the series {@code name} whose labels include {@code labels} (as Prometheus prints them); 0 if none. */
    static double value(String scrape, String name, String... labels) {
        Pattern line = Pattern.compile("^" + Pattern.quote(name) + "(\\{.*\\})? (\\S+)$", Pattern.MULTILINE);
        double sum = 0;
        Matcher m = line.matcher(scrape);
        outer:
        while (m.find()) {
            String have = m.group(1) == null ? "" : m.group(1);
            for (String l : labels) {
                if (!have.contains(l)) {
                    continue outer;
                }
            }
            sum += Double.parseDouble(m.group(2));
        }
        return sum;
    }

    @Test
    void two_builds_count_two_with_their_durations_queue_waits_and_log_bytes_and_requests_by_route() throws Exception {
        String before = scrape();
        // 100,000 bytes of log, then a failing build.
        BuildView ok = kiln.submit(TestServer.repo(tmp.resolve("ok"), Map.of("build.yaml", """
                steps:
                  - args: [sh, -c, 'yes line-of-log | head -c 100000']
                  - args: ['true']
                """)));
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        BuildView end = new BuildWatcher(kiln.api, new PrintStream(printed, true)).follow(ok.id());   // as `kiln submit` follows it
        assertThat(end.status()).isEqualTo(Status.SUCCESS);
        String bad = kiln.submit(TestServer.repo(tmp.resolve("bad"), Map.of("build.yaml", "steps:\n  - args: ['false']\n"))).id();
        assertThat(kiln.awaitEnd(bad, Duration.ofSeconds(30)).status()).isEqualTo(Status.FAILURE);
        kiln.api.get(ok.id());
        String after = scrape();

        assertThat(value(after, "kiln_build_duration_seconds_count", "status=\"SUCCESS\"")
                - value(before, "kiln_build_duration_seconds_count", "status=\"SUCCESS\"")).isEqualTo(1);
        assertThat(value(after, "kiln_build_duration_seconds_count", "status=\"FAILURE\"")).isEqualTo(1);
        assertThat(value(after, "kiln_build_duration_seconds_count")).as("two builds ran").isEqualTo(2);
        assertThat(value(after, "kiln_build_duration_seconds_sum")).as("they took some time").isPositive();
        // Steps by how they ended: two passed, one failed.
        assertThat(value(after, "kiln_step_duration_seconds_count", "status=\"SUCCESS\"")).isEqualTo(2);
        assertThat(value(after, "kiln_step_duration_seconds_count", "status=\"FAILURE\"")).isEqualTo(1);
        assertThat(value(after, "kiln_step_duration_seconds_bucket", "status=\"SUCCESS\"", "le=\"+Inf\"")).isEqualTo(2);
        assertThat(value(after, "kiln_queue_wait_seconds_count")).as("two builds leased").isEqualTo(2);
        // What the step printed was written, and sent again to the follower.
        assertThat(value(after, "kiln_log_written_bytes_total")).isGreaterThanOrEqualTo(100_000);
        assertThat(value(after, "kiln_log_streamed_bytes_total") - value(before, "kiln_log_streamed_bytes_total"))
                .isGreaterThanOrEqualTo(100_000);
        assertThat(printed.toString()).contains("line-of-log");
        // Requests by route template: the build's id is not in any series.
        assertThat(value(after, "http_server_requests_seconds_count", "method=\"GET\"", "route=\"/api/builds/{id}\"",
                "status=\"200\"")).isGreaterThanOrEqualTo(2);
        assertThat(value(after, "http_server_requests_seconds_count", "method=\"POST\"", "route=\"/api/builds\"")).isEqualTo(2);
        // An event stream counts once it has closed, which may be just after the watcher returned.
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
                value(scrape(), "http_server_requests_seconds_count", "route=\"/api/builds/{id}/events\"") == 1);
        assertThat(after).doesNotContain(ok.id()).doesNotContain(bad);
        HttpResponse<String> missing = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(kiln.server.url() + "/no/such/" + ok.id())).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(missing.statusCode()).isEqualTo(404);
        String last = scrape();
        assertThat(value(last, "http_server_requests_seconds_count", "route=\"unmatched\"", "status=\"404\"")).isEqualTo(1);
        assertThat(last).doesNotContain(ok.id());
        assertThat(last).contains("kiln_sse_followers", "kiln_queue_length");
        // Builds by status come from one query made at most once a second: the gauge may lag by that much.
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() ->
                scrape().contains("kiln_builds{status=\"SUCCESS\"} 1.0"));
    }

    @Test
    void git_over_http_counts_by_endpoint_with_the_repo_as_a_template() throws Exception {
        kiln.api.createRepo(new dev.kiln.spec.api.RepoRequest("churn", null, null, null, null));
        HttpClient http = HttpClient.newHttpClient();
        String basic = "Basic " + java.util.Base64.getEncoder().encodeToString(("admin:" + kiln.server.adminToken())
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        for (String repo : List.of("churn", "churn", "nosuch")) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(kiln.server.url() + "/git/" + repo
                    + ".git/info/refs?service=git-upload-pack")).header("Authorization", basic).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(repo.equals("nosuch") ? 404 : 200);
        }
        HttpResponse<String> foreign = http.send(HttpRequest.newBuilder(URI.create(kiln.server.url() + "/git/churn.git/info/refs"))
                .header("Origin", "https://evil.example").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(foreign.statusCode()).isEqualTo(403);
        String after = scrape();
        String route = "route=\"/git/{repo}/info/refs\"";
        assertThat(value(after, "http_server_requests_seconds_count", "method=\"GET\"", route, "status=\"200\"")).isEqualTo(2);
        assertThat(value(after, "http_server_requests_seconds_count", route, "status=\"404\"")).isEqualTo(1);
        assertThat(value(after, "http_server_requests_seconds_count", route, "status=\"403\"")).isEqualTo(1);
        assertThat(after).doesNotContain("churn.git").doesNotContain("nosuch");
    }
}
