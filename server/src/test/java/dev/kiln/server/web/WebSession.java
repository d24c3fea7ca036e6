package dev.kiln.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.server.access.BrowserSessions;
import dev.kiln.server.support.TestServer;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The dashboard as a browser without JavaScript uses it: pages with Accept: text/html, form posts, a session cookie. */
public final class WebSession {
    final String base;
    private final HttpClient http = HttpClient.newHttpClient();
    /** The session cookie ("kiln_session=..."), null before signing in. */
    String cookie;

    WebSession(String base) {
        this.base = base;
    }

    /** Signs in as {@code user} through the sign-in form, as a browser does (its own page's Origin). */
    WebSession signIn(String user, String password) throws Exception {
        HttpResponse<String> r = post("/login", base, true, Map.of("user", user, "password", password));
        assertThat(r.statusCode()).as("sign-in of " + user + ": " + r.body()).isEqualTo(303);
        cookie = sessionCookie(r);
        return this;
    }

    /** Signs in as {@code admin} with the password the server's first start gave it. */
    WebSession signInAsAdmin(TestServer kiln) throws Exception {
        return signIn("admin", kiln.server.initialAdminPassword());
    }

    /** A browser signed in as admin: its cookie header ("kiln_session=..."), for feeds and pages read by hand. */
    public static String adminCookie(TestServer kiln) throws Exception {
        return new WebSession(kiln.server.url()).signInAsAdmin(kiln).cookie;
    }

    /** The session cookie a response sets ("kiln_session=..."). */
    static String sessionCookie(HttpResponse<?> r) {
        return r.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith(BrowserSessions.COOKIE + "="))
                .reduce((a, b) -> b).orElseThrow(() -> new AssertionError("no session cookie in " + r.headers()))
                .split(";", 2)[0];
    }

    HttpResponse<String> get(String path) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base + path)).header("Accept", "text/html");
        if (cookie != null) {
            r.header("Cookie", cookie);
        }
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The CSRF token of the forms on the page at {@code path}. */
    String csrf(String path) throws Exception {
        Matcher m = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(get(path).body());
        assertThat(m.find()).as("a form with a CSRF token on " + path).isTrue();
        return m.group(1);
    }

    /** A form post from {@code origin} (null: none), with the session cookie when {@code withCookie}. */
    HttpResponse<String> post(String path, String origin, boolean withCookie, Map<String, String> form) throws Exception {
        StringBuilder body = new StringBuilder();
        for (var e : new LinkedHashMap<>(form).entrySet()) {
            body.append(body.isEmpty() ? "" : "&").append(e.getKey()).append('=')
                    .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
        }
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base + path)).header("Accept", "text/html")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        if (origin != null) {
            r.header("Origin", origin);
        }
        if (withCookie && cookie != null) {
            r.header("Cookie", cookie);
        }
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A form post of this server's own page, signed in. */
    HttpResponse<String> post(String path, Map<String, String> form) throws Exception {
        return post(path, base, true, form);
    }
}
