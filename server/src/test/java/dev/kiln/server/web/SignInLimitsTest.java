package dev.kiln.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.server.KilnServer;
import dev.kiln.server.access.ApiTokens;
import dev.kiln.server.access.AuditLog;
import dev.kiln.server.access.LoginThrottle;
import dev.kiln.server.access.Role;
import dev.kiln.server.scheduler.MutableClock;
import dev.kiln.server.support.TestServer;
import dev.kiln.spec.api.BuildView;
import dev.kiln.spec.api.RepoRequest;
import dev.kiln.spec.api.TriggerView;
import dev.kiln.spec.json.Json;
import dev.kiln.spec.protocol.Status;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Guessing passwords (the rate limit per user name and per address, on a clock the test moves),
 * {@code POST /api/login} and {@code /api/logout} as {@code kiln login} uses them, and
 * {@code --public-read}: pages for anyone, buttons and forms for those whose role allows them.
 */
class SignInLimitsTest {
    static final String EVIL = "http://evil.example";

    @TempDir Path tmp;
    final MutableClock clock = new MutableClock(System.currentTimeMillis());
    TestServer kiln;

    private TestServer start(boolean publicRead) throws Exception {
        kiln = TestServer.start(KilnServer.Config.defaults(tmp.resolve("data")).withPort(0).withLocalAgent(false)
                .withPublicRead(publicRead), clock);
        kiln.server.users().add("dana", Role.DEVELOPER, "dana-password");
        kiln.server.users().add("vera", Role.VIEWER, "vera-password");
        return kiln;
    }

    @AfterEach
    void stop() {
        if (kiln != null) {
            kiln.close();
        }
    }

    private HttpResponse<String> api(String method, String path, Map<String, String> headers, String body) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(kiln.server.url() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(r::header);
        return HttpClient.newHttpClient().send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> apiLogin(String user, String password, Map<String, String> more) throws Exception {
        Map<String, Object> body = new HashMap<>(Map.of("user", user, "password", password));
        body.putAll(more);
        return api("POST", "/api/login", Map.of("Content-Type", "application/json"), Json.MAPPER.writeValueAsString(body));
    }

    private static HttpResponse<String> form(WebSession web, String user, String password) throws Exception {
        return web.post("/login", web.base, false, Map.of("user", user, "password", password));
    }

    @Test
    void five_wrong_passwords_lock_the_name_for_five_minutes_even_against_the_right_one() throws Exception {
        WebSession web = new WebSession(start(false).server.url());
        long t0 = clock.millis();
        for (int i = 0; i < LoginThrottle.PER_USER; i++) {
            HttpResponse<String> wrong = form(web, "dana", "guess-" + i);
            assertThat(wrong.statusCode()).isEqualTo(401);
            assertThat(wrong.body()).contains("Wrong user name or password", "value=\"dana\"").doesNotContain("guess-" + i);
        }
        HttpResponse<String> locked = form(web, "dana", "dana-password");
        assertThat(locked.statusCode()).isEqualTo(429);
        assertThat(locked.headers().firstValue("Retry-After")).hasValue("300");
        String until = DateTimeFormatter.ofPattern("HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC)
                .format(Instant.ofEpochMilli(t0 + LoginThrottle.WINDOW.toMillis()));
        assertThat(locked.body()).contains("Too many failed sign-ins", "try again after " + until, "(in 5 minutes)");
        assertThat(locked.headers().allValues("Set-Cookie")).isEmpty();
        // The API shares the limit.
        HttpResponse<String> byApi = apiLogin("dana", "dana-password", Map.of());
        assertThat(byApi.statusCode()).isEqualTo(429);
        assertThat(byApi.headers().firstValue("Retry-After")).hasValue("300");
        assertThat(Json.MAPPER.readTree(byApi.body()).path("message").asText()).contains("try again after " + until);

        clock.advance(LoginThrottle.WINDOW.toMillis() - 1_000);
        HttpResponse<String> almost = form(web, "dana", "dana-password");
        assertThat(almost.statusCode()).isEqualTo(429);
        assertThat(almost.headers().firstValue("Retry-After")).hasValue("1");
        clock.advance(1_000);
        assertThat(form(web, "dana", "dana-password").statusCode()).as("the window has passed").isEqualTo(303);

        // A success resets the name's count: four wrong, right, four wrong, right.
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < LoginThrottle.PER_USER - 1; i++) {
                assertThat(form(web, "dana", "typo").statusCode()).isEqualTo(401);
            }
            assertThat(form(web, "dana", "dana-password").statusCode()).as("round " + round).isEqualTo(303);
        }
        // Another name is not locked by dana's failures.
        assertThat(form(web, "vera", "vera-password").statusCode()).isEqualTo(303);

        List<AuditLog.Entry> failed = kiln.server.audit().list(100, null, "login-failed");
        assertThat(failed).hasSize(LoginThrottle.PER_USER + 2 * (LoginThrottle.PER_USER - 1));
        assertThat(failed).allSatisfy(e -> {
            assertThat(e.target()).isEqualTo("dana");
            assertThat(e.address()).isEqualTo("127.0.0.1");
            assertThat(e.detail()).doesNotContain("guess", "typo", "password");
        });
        assertThat(kiln.server.audit().list(100, null, "login")).extracting(AuditLog.Entry::actor)
                .containsExactly("vera", "dana", "dana", "dana");
    }

    @Test
    void one_address_guessing_many_names_is_held_back_too() throws Exception {
        WebSession web = new WebSession(start(false).server.url());
        for (int i = 0; i < LoginThrottle.PER_ADDRESS; i++) {
            assertThat(form(web, "nobody" + i, "guess").statusCode()).isEqualTo(401);
        }
        HttpResponse<String> held = form(web, "dana", "dana-password");
        assertThat(held.statusCode()).isEqualTo(429);
        assertThat(held.body()).contains("from this address");
        clock.advance(LoginThrottle.WINDOW.toMillis());
        assertThat(form(web, "dana", "dana-password").statusCode()).isEqualTo(303);
    }

    @Test
    void api_login_makes_a_token_of_the_user_and_api_logout_revokes_the_token_it_is_called_with() throws Exception {
        start(false);
        HttpResponse<String> in = apiLogin("dana", "dana-password", Map.of("tokenName", "laptop", "expires", "30d"));
        assertThat(in.statusCode()).as(in.body()).isEqualTo(201);
        var view = Json.MAPPER.readTree(in.body());
        assertThat(view.path("user").asText()).isEqualTo("dana");
        assertThat(view.path("role").asText()).isEqualTo("developer");
        String token = view.path("token").asText();
        Map<String, String> bearer = Map.of("Authorization", "Bearer " + token);
        assertThat(api("GET", "/api/builds", bearer, null).statusCode()).isEqualTo(200);
        ApiTokens.TokenInfo info = kiln.server.tokens().list("dana").get(0);
        assertThat(info.name()).isEqualTo("laptop");
        assertThat(info.expireTime()).isEqualTo(clock.millis() + Duration.ofDays(30).toMillis());

        assertThat(apiLogin("dana", "wrong-password", Map.of()).statusCode()).isEqualTo(401);
        // A name longer than any user's is refused, and kept short in the audit log.
        assertThat(apiLogin("dana".repeat(50_000), "dana-password", Map.of()).statusCode()).isEqualTo(401);
        assertThat(kiln.server.audit().list(1, null, "login-failed").get(0).target()).hasSize(64);
        assertThat(apiLogin("dana", "dana-password", Map.of("expires", "soon")).statusCode()).isEqualTo(400);
        HttpResponse<String> page = api("POST", "/api/login", Map.of("Content-Type", "application/json", "Origin", EVIL),
                "{\"user\":\"dana\",\"password\":\"dana-password\"}");
        assertThat(page.statusCode()).as("a page of another site").isEqualTo(403);
        HttpResponse<String> asForm = api("POST", "/api/login", Map.of("Content-Type", "application/x-www-form-urlencoded"),
                "user=dana&password=dana-password");
        assertThat(asForm.statusCode()).isEqualTo(401);
        assertThat(asForm.body()).doesNotContain("kiln_");
        assertThat(kiln.server.tokens().list("dana")).hasSize(1);

        assertThat(api("POST", "/api/logout", bearer, null).statusCode()).isEqualTo(204);
        assertThat(api("GET", "/api/builds", bearer, null).statusCode()).isEqualTo(401);
        assertThat(kiln.server.tokens().list("dana").get(0).revokeTime()).isNotNull();
        assertThat(kiln.server.audit().list(10, null, null)).extracting(AuditLog.Entry::action, AuditLog.Entry::detail)
                .contains(org.assertj.core.groups.Tuple.tuple("login", "api, token " + info.id() + " (laptop)"),
                        org.assertj.core.groups.Tuple.tuple("logout", "api, token " + info.id()));
    }

    @Test
    void public_read_shows_pages_to_anyone_and_buttons_only_to_roles_that_may_press_them() throws Exception {
        start(true);
        kiln.api.createRepo(new RepoRequest("churn", null, null, null, null));
        kiln.api.createTrigger(new TriggerView("dev", "churn", "^dev$", null, false, null, List.of(), List.of(), Map.of(),
                true, null));
        BuildView b = kiln.submit(TestServer.repo(tmp.resolve("src"), Map.of("build.yaml", "steps:\n  - args: ['true']\n")));
        String page = "/builds/" + b.id();
        WebSession anyone = new WebSession(kiln.server.url());

        HttpResponse<String> list = anyone.get("/");
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(list.body()).contains(b.id(), "id=\"signin-link\"").doesNotContain("name=\"csrf\"", "action=\"/logout\"");
        String build = anyone.get(page).body();
        assertThat(build).contains("Sign in to cancel or retry").doesNotContain("action=\"" + page + "/cancel\"",
                "name=\"csrf\"");
        assertThat(anyone.get("/repos/churn").body()).contains("Sign in to run this trigger")
                .doesNotContain("action=\"/triggers/dev/run\"");
        assertThat(api("GET", "/api/builds/" + b.id(), Map.of(), null).statusCode()).isEqualTo(200);
        // A form posted anyway is refused: reading is public, changing is not.
        assertThat(anyone.post(page + "/cancel", Map.of("csrf", "anything")).statusCode()).isEqualTo(401);
        assertThat(anyone.post("/triggers/dev/run", Map.of("csrf", "x", "kind", "branch", "ref", "dev")).statusCode())
                .isEqualTo(401);
        assertThat(kiln.api.get(b.id()).status()).isEqualTo(Status.QUEUED);

        WebSession viewer = new WebSession(kiln.server.url()).signIn("vera", "vera-password");
        String seen = viewer.get(page).body();
        assertThat(seen).contains("id=\"signed-in-as\">vera").doesNotContain("action=\"" + page + "/cancel\"",
                "Sign in to cancel or retry");
        assertThat(viewer.get("/repos/churn").body()).contains("Running it needs the developer role on this repo")
                .doesNotContain("action=\"/triggers/dev/run\"");
        assertThat(viewer.post(page + "/cancel", Map.of("csrf", viewer.csrf(page))).statusCode()).isEqualTo(403);

        WebSession developer = new WebSession(kiln.server.url()).signIn("dana", "dana-password");
        assertThat(developer.get(page).body()).contains("action=\"" + page + "/cancel\"");
        assertThat(developer.get("/repos/churn").body()).contains("action=\"/triggers/dev/run\"");
        assertThat(developer.post(page + "/cancel", Map.of("csrf", developer.csrf(page))).statusCode()).isEqualTo(303);
        assertThat(kiln.api.get(b.id()).status()).isEqualTo(Status.CANCELLED);
    }
}
