package dev.kiln.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.server.support.TestServer;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dashboard's forms as an attacker's page would send them, and its headers. */
class DashboardFormsTest {
    @TempDir Path tmp;
    TestServer kiln;
    String base;
    String buildId;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        kiln = TestServer.start(tmp.resolve("data"));
        base = kiln.server.url();
        buildId = kiln.endedBuild(tmp.resolve("ok"));
    }

    @AfterEach
    void stop() {
        kiln.close();
    }

    private HttpResponse<String> post(String path, String origin, String cookie, String form) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        if (origin != null) {
            r.header("Origin", origin);
        }
        if (cookie != null) {
            r.header("Cookie", cookie);
        }
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path, String cookie) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base + path)).header("Accept", "text/html");
        if (cookie != null) {
            r.header("Cookie", cookie);
        }
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void a_cross_site_form_post_is_refused_and_only_a_signed_in_page_with_its_token_retries() throws Exception {
        String good = "user=admin&password=" + URLEncoder.encode(kiln.server.initialAdminPassword(), StandardCharsets.UTF_8);
        HttpResponse<String> foreign = post("/login", "http://evil.example", null, good);
        assertThat(foreign.statusCode()).isEqualTo(403);
        assertThat(foreign.headers().allValues("Set-Cookie")).isEmpty();
        assertThat(post("/login", base, null, "user=admin&password=wrong-password").statusCode()).isEqualTo(401);
        HttpResponse<String> login = post("/login", base, null, good + "&next=/builds/" + buildId);
        assertThat(login.statusCode()).isEqualTo(303);
        String setCookie = login.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(setCookie).contains("HttpOnly").containsIgnoringCase("SameSite=Strict");
        String cookie = setCookie.split(";", 2)[0];
        Matcher m = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(get("/builds/" + buildId, cookie).body());
        assertThat(m.find()).isTrue();
        String csrf = "csrf=" + m.group(1);
        String retry = "/builds/" + buildId + "/retry";
        // An attacker's page: the browser would send the cookie (it does not, being SameSite=Strict), never the token.
        assertThat(post(retry, "http://evil.example", cookie, csrf).statusCode()).isEqualTo(403);
        assertThat(post(retry, base, cookie, "").statusCode()).isEqualTo(401);
        assertThat(post(retry, base, cookie, "csrf=guess").statusCode()).isEqualTo(401);
        assertThat(post(retry, base, null, csrf).statusCode()).isEqualTo(401);
        assertThat(post(retry, null, cookie, csrf).statusCode()).as("no Origin or Referer").isEqualTo(401);
        assertThat(kiln.api.list(10)).hasSize(1);
        HttpResponse<String> ok = post(retry, base, cookie, csrf);
        assertThat(ok.statusCode()).isEqualTo(303);
        assertThat(kiln.api.list(10)).hasSize(2);
    }

    @Test
    void pages_send_a_strict_content_security_policy_and_a_missing_build_is_a_page_without_a_trace() throws Exception {
        String cookie = WebSession.adminCookie(kiln);
        HttpResponse<String> page = get("/", cookie);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow())
                .contains("default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'",
                        "frame-ancestors 'none'", "base-uri 'none'");
        assertThat(page.body()).doesNotContain("<script>", " style=", "onclick", "onload");
        HttpResponse<String> missing = get("/builds/nope", cookie);
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).contains("no build nope").doesNotContain("Exception", "at dev.");
    }

    @Test
    void the_badge_shows_the_newest_builds_status_uncached_and_metrics_name_builds_by_status() throws Exception {
        String cookie = WebSession.adminCookie(kiln);
        HttpResponse<String> badge = get("/badge/%3Cx%3E.svg", cookie);
        assertThat(badge.headers().firstValue("Cache-Control").orElseThrow()).contains("no-cache");
        assertThat(badge.body()).startsWith("<svg").contains("no builds").doesNotContain("<x>");
        HttpResponse<String> metrics = get("/metrics", cookie);
        assertThat(metrics.body()).contains("kiln_builds{status=\"SUCCESS\"} 1.0", "kiln_queue_length",
                "kiln_agents_connected", "jvm_memory_used_bytes");
    }
}
