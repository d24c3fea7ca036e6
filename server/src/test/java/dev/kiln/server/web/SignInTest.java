package dev.kiln.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.server.KilnServer;
import dev.kiln.server.access.AuditLog;
import dev.kiln.server.access.Role;
import dev.kiln.server.scheduler.MutableClock;
import dev.kiln.server.support.TestServer;
import dev.kiln.spec.api.BuildView;
import dev.kiln.spec.protocol.Status;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dashboard sessions over HTTP, as a browser without JavaScript has them: where a page without one
 * leads, a session id planted before sign-in, idle and absolute expiry (on a clock the test moves),
 * a disabled user or a changed role on a live session, and sign-in and sign-out forms posted by
 * another site.
 */
class SignInTest {
    static final String EVIL = "http://evil.example";

    @TempDir Path tmp;
    final MutableClock clock = new MutableClock(System.currentTimeMillis());
    TestServer kiln;
    WebSession web;

    @BeforeEach
    void start() throws Exception {
        kiln = TestServer.start(KilnServer.Config.defaults(tmp.resolve("data")).withPort(0).withLocalAgent(false), clock);
        kiln.server.users().add("dana", Role.DEVELOPER, "dana-password");
        web = new WebSession(kiln.server.url());
    }

    @AfterEach
    void stop() {
        kiln.close();
    }

    /** A Set-Cookie that deletes the session cookie from the browser. */
    static boolean deletes(String setCookie) {
        return setCookie.startsWith("kiln_session=;") && (setCookie.contains("Max-Age=0")
                || setCookie.contains("Expires=Thu, 01 Jan 1970"));
    }

    private HttpResponse<String> raw(String path, Map<String, String> headers) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(kiln.server.url() + path));
        headers.forEach(r::header);
        return HttpClient.newHttpClient().send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void a_page_without_a_session_leads_to_sign_in_and_back_while_the_api_and_feeds_keep_their_401() throws Exception {
        HttpResponse<String> page = web.get("/agents?x=1");
        assertThat(page.statusCode()).isEqualTo(303);
        assertThat(page.headers().firstValue("Location")).hasValue("/login?next=%2Fagents%3Fx%3D1");
        HttpResponse<String> api = raw("/api/builds", Map.of("Accept", "text/html,application/json"));
        assertThat(api.statusCode()).isEqualTo(401);
        assertThat(api.body()).startsWith("{").contains("\"status\":401");
        assertThat(raw("/ui/builds/live", Map.of("Accept", "text/event-stream")).statusCode()).isEqualTo(401);

        HttpResponse<String> form = web.get("/login?next=%2Fagents%3Fx%3D1");
        assertThat(form.statusCode()).isEqualTo(200);
        assertThat(form.body()).contains("name=\"user\"", "type=\"password\" name=\"password\"",
                "name=\"next\" value=\"/agents?x=1\"", "id=\"signin-link\"").doesNotContain("name=\"token\"");
        HttpResponse<String> in = web.post("/login", web.base, false, Map.of("user", "dana", "password", "dana-password",
                "next", "/agents?x=1"));
        assertThat(in.statusCode()).isEqualTo(303);
        assertThat(in.headers().firstValue("Location")).hasValue("/agents?x=1");
        web.cookie = WebSession.sessionCookie(in);
        String agents = web.get("/agents").body();
        assertThat(agents).contains("id=\"signed-in-as\">dana <span class=\"role\">developer</span>", "action=\"/logout\"")
                .doesNotContain("id=\"signin-link\"");
        assertThat(web.get("/login").body()).contains("id=\"signed-in-as\">dana", "name=\"password\"");

        // Only a path of this server is a place to go after signing in.
        for (String next : List.of("//evil.example/x", "https://evil.example/", "/\\evil.example", "/\t/evil.example", "x")) {
            HttpResponse<String> r = web.post("/login", web.base, false, Map.of("user", "dana", "password", "dana-password",
                    "next", next));
            assertThat(r.headers().firstValue("Location")).as(next).hasValue("/");
        }
    }

    @Test
    void every_sign_in_makes_a_new_session_id_so_one_planted_before_is_worth_nothing() throws Exception {
        web.cookie = "kiln_session=chosen-by-an-attacker";
        assertThat(web.get("/").statusCode()).as("a made-up session").isEqualTo(303);
        HttpResponse<String> in = web.post("/login", web.base, true, Map.of("user", "dana", "password", "dana-password"));
        assertThat(in.statusCode()).isEqualTo(303);
        String setCookie = in.headers().allValues("Set-Cookie").get(0);
        assertThat(setCookie).contains("HttpOnly", "Path=/").containsIgnoringCase("SameSite=Strict")
                .doesNotContainIgnoringCase("secure").doesNotContain("chosen-by-an-attacker");
        String first = WebSession.sessionCookie(in);
        assertThat(first).isNotEqualTo("kiln_session=chosen-by-an-attacker");
        web.cookie = "kiln_session=chosen-by-an-attacker";
        assertThat(web.get("/").statusCode()).as("the planted id after the sign-in").isEqualTo(303);

        // Signing in again, with the first session's cookie: a second id, and the first one ends.
        web.cookie = first;
        web.signIn("dana", "dana-password");
        String second = web.cookie;
        assertThat(second).isNotEqualTo(first);
        assertThat(web.get("/").statusCode()).isEqualTo(200);
        web.cookie = first;
        assertThat(web.get("/").statusCode()).as("the session signed in over").isEqualTo(303);
    }

    @Test
    void a_session_ends_after_an_hour_without_a_request_and_twelve_hours_after_sign_in() throws Exception {
        web.signIn("dana", "dana-password");
        clock.advance(Duration.ofMinutes(59).toMillis());
        assertThat(web.get("/").statusCode()).isEqualTo(200);
        clock.advance(Duration.ofMinutes(59).toMillis());
        assertThat(web.get("/").statusCode()).as("used 59 minutes ago").isEqualTo(200);
        clock.advance(Duration.ofMinutes(60).toMillis());
        HttpResponse<String> idle = web.get("/");
        assertThat(idle.statusCode()).as("an hour without a request").isEqualTo(303);
        assertThat(idle.headers().firstValue("Location")).hasValue("/login?next=%2F");
        HttpResponse<String> again = web.get("/login?next=%2F");
        assertThat(again.body()).contains("Your session has ended");
        assertThat(again.headers().allValues("Set-Cookie")).anyMatch(SignInTest::deletes);

        web.signIn("dana", "dana-password");
        for (int i = 1; i <= 15; i++) {
            clock.advance(Duration.ofMinutes(50).toMillis());
            int expected = i * 50 < 12 * 60 ? 200 : 303;
            assertThat(web.get("/").statusCode()).as("%d minutes after sign-in, in use", i * 50).isEqualTo(expected);
        }
    }

    @Test
    void a_disabled_users_session_stops_at_once_and_a_changed_role_applies_to_the_next_click() throws Exception {
        BuildView b = kiln.submit(TestServer.repo(tmp.resolve("src"), Map.of("build.yaml", "steps:\n  - args: ['true']\n")));
        String page = "/builds/" + b.id();
        web.signIn("dana", "dana-password");
        String csrf = web.csrf(page);
        assertThat(web.get(page).body()).contains("id=\"cancel\"", "id=\"retry\"");

        kiln.server.users().setRole("dana", Role.VIEWER);
        String asViewer = web.get(page).body();
        assertThat(asViewer).doesNotContain("id=\"cancel\"", "id=\"retry\"", "Sign in to cancel");
        assertThat(web.post(page + "/cancel", Map.of("csrf", csrf)).statusCode()).isEqualTo(403);
        assertThat(kiln.api.get(b.id()).status()).isEqualTo(Status.QUEUED);

        kiln.server.users().setRole("dana", Role.DEVELOPER);
        assertThat(web.get(page).body()).contains("id=\"cancel\"");
        kiln.server.users().setDisabled("dana", true);
        assertThat(web.get(page).statusCode()).isEqualTo(303);
        assertThat(web.post(page + "/cancel", Map.of("csrf", csrf)).statusCode()).isEqualTo(401);
        assertThat(kiln.api.get(b.id()).status()).isEqualTo(Status.QUEUED);
        // Enabled again, the old session stays ended: it was dropped, not paused.
        kiln.server.users().setDisabled("dana", false);
        assertThat(web.get(page).statusCode()).isEqualTo(303);
        assertThat(web.post("/login", web.base, false, Map.of("user", "dana", "password", "dana-password")).statusCode())
                .isEqualTo(303);
    }

    @Test
    void sign_in_and_sign_out_forms_posted_by_another_site_are_refused() throws Exception {
        Map<String, String> good = Map.of("user", "dana", "password", "dana-password");
        HttpResponse<String> foreign = web.post("/login", EVIL, false, good);
        assertThat(foreign.statusCode()).isEqualTo(403);
        assertThat(foreign.headers().allValues("Set-Cookie")).isEmpty();
        HttpResponse<String> unnamed = web.post("/login", null, false, good);
        assertThat(unnamed.statusCode()).as("no Origin or Referer").isEqualTo(401);
        assertThat(unnamed.headers().allValues("Set-Cookie")).isEmpty();

        web.signIn("dana", "dana-password");
        String csrf = web.csrf("/");
        assertThat(web.post("/logout", EVIL, true, Map.of("csrf", csrf)).statusCode()).isEqualTo(403);
        assertThat(web.post("/logout", Map.of()).statusCode()).as("no CSRF token").isEqualTo(401);
        assertThat(web.post("/logout", Map.of("csrf", "guess")).statusCode()).as("a wrong one").isEqualTo(401);
        assertThat(web.get("/").statusCode()).as("still signed in").isEqualTo(200);

        HttpResponse<String> out = web.post("/logout", Map.of("csrf", csrf));
        assertThat(out.statusCode()).isEqualTo(303);
        assertThat(out.headers().firstValue("Location")).hasValue("/login");
        assertThat(out.headers().allValues("Set-Cookie")).anyMatch(SignInTest::deletes);
        assertThat(web.get("/").statusCode()).as("the session ended on the server, not only in the browser").isEqualTo(303);

        List<AuditLog.Entry> log = kiln.server.audit().list(20, null, null);
        assertThat(log).extracting(AuditLog.Entry::action, AuditLog.Entry::actor, AuditLog.Entry::address)
                .contains(org.assertj.core.groups.Tuple.tuple("login", "dana", "127.0.0.1"),
                        org.assertj.core.groups.Tuple.tuple("logout", "dana", "127.0.0.1"));
    }

    /** A live feed opened with the session of {@code web}; the latch opens when the server ends it. */
    private java.util.concurrent.CountDownLatch feed(WebSession web, String path) throws Exception {
        HttpResponse<java.io.InputStream> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(kiln.server.url() + path)).header("Accept", "text/event-stream").header("Cookie", web.cookie).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        java.util.concurrent.CountDownLatch ended = new java.util.concurrent.CountDownLatch(1);
        Thread t = new Thread(() -> {
            try (java.io.InputStream in = r.body()) {
                in.transferTo(java.io.OutputStream.nullOutputStream());
            } catch (java.io.IOException e) {
                // ended either way
            }
            ended.countDown();
        });
        t.setDaemon(true);
        t.start();
        return ended;
    }

    @Test
    void the_live_feeds_a_session_opened_end_with_it() throws Exception {
        BuildView b = kiln.submit(TestServer.repo(tmp.resolve("src"), Map.of("build.yaml", "steps:\n  - args: ['true']\n")));
        web.signIn("dana", "dana-password");
        var rows = feed(web, "/ui/builds/live?after=0");
        var log = feed(web, "/builds/" + b.id() + "/steps/0/live");
        WebSession other = new WebSession(kiln.server.url()).signIn("dana", "dana-password");
        var others = feed(other, "/ui/builds/live?after=0");
        assertThat(rows.await(300, java.util.concurrent.TimeUnit.MILLISECONDS)).as("open while signed in").isFalse();

        assertThat(web.post("/logout", Map.of("csrf", web.csrf("/"))).statusCode()).isEqualTo(303);
        assertThat(rows.await(10, java.util.concurrent.TimeUnit.SECONDS)).as("the builds list's feed").isTrue();
        assertThat(log.await(10, java.util.concurrent.TimeUnit.SECONDS)).as("the step's live log").isTrue();
        assertThat(others.getCount()).as("another session's feed").isEqualTo(1);

        // A disabled user's feeds end at the first request of that session the server sees.
        kiln.server.users().setDisabled("dana", true);
        assertThat(other.get("/").statusCode()).isEqualTo(303);
        assertThat(others.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void behind_an_https_public_url_the_session_cookie_is_secure() throws Exception {
        KilnServer.Config d = KilnServer.Config.defaults(tmp.resolve("tls")).withPort(0).withLocalAgent(false);
        KilnServer.Config behindProxy = new KilnServer.Config(d.host(), d.port(), d.dataDir(), d.dbUrl(), d.dbUser(),
                d.dbPassword(), d.localAgent(), d.localAgentLabels(), d.leaseTimeout(), d.heartbeat(), d.logCap(),
                d.projectId(), "https://kiln.example.com", d.workDir(), d.buildUser(), d.passEnv(), d.sourceLimits(),
                d.localAgentMaxBuilds(), d.publicRead());
        try (TestServer tls = TestServer.start(behindProxy, clock)) {
            tls.server.users().add("dana", Role.DEVELOPER, "dana-password");
            WebSession proxied = new WebSession(tls.server.url());
            HttpResponse<String> in = proxied.post("/login", proxied.base, false, Map.of("user", "dana", "password",
                    "dana-password"));
            assertThat(in.statusCode()).isEqualTo(303);
            assertThat(in.headers().allValues("Set-Cookie").get(0)).contains("; Secure", "HttpOnly")
                    .containsIgnoringCase("SameSite=Strict");
        }
    }
}
