package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.server.access.Access;
import dev.kiln.server.support.RawHttp;
import dev.kiln.server.support.TestServer;
import dev.kiln.spec.api.BuildView;
import dev.kiln.spec.protocol.AgentPaths;
import io.javalin.router.Endpoint;
import io.javalin.security.Roles;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a bad parameter gets, on every route of the real route table: a 400 that names the
 * parameter and what it may be, before anything reaches the database or the disk; and no error
 * body, whatever went wrong, carries a stack trace, SQL or a path of the data directory.
 */
class ApiErrorsTest {
    private static final byte[] NONE = new byte[0];
    private static final String EVENTS = "/api/builds/{id}/events";

    /** The values every whole-number parameter must refuse: negative, too large for a long, not a number, empty. */
    private static final List<String> NOT_COUNTS = List.of("-1", "99999999999999999999", "abc", "1.5", "");

    /** A parameter, the values it must refuse, and what the refusal must say of its range. */
    record Param(String name, boolean inPath, List<String> bad, String range) {
        static Param count(String name, String range, String... more) {
            List<String> bad = new ArrayList<>(NOT_COUNTS);
            bad.addAll(List.of(more));
            return new Param(name, false, bad, range);
        }

        static Param step() {
            // An empty path segment matches no route at all, so it is not among a path parameter's values.
            return new Param("step", true, List.of("-1", "99999999999", "abc"), "0 or more");
        }
    }

    /** The parameters of every route; each route of the table must be here, so a new one has to say what it takes. */
    private static final Map<String, List<Param>> PARAMS = new LinkedHashMap<>();

    static {
        PARAMS.put("GET /api/health", List.of());
        PARAMS.put("POST /api/builds", List.of(new Param("substitution", false, List.of("", "novalue", "=x"), "_KEY=VALUE")));
        PARAMS.put("GET /api/builds", List.of(Param.count("limit", "between 1 and 500", "0", "501"),
                Param.count("before", "1 or more", "0"),
                new Param("status", false, List.of("nope", "", "DONE"), "must be one of [PENDING, QUEUED")));
        PARAMS.put("GET /api/builds/{id}", List.of());
        PARAMS.put("POST /api/builds/{id}/cancel", List.of());
        PARAMS.put("POST /api/builds/{id}/retry", List.of());
        PARAMS.put("POST /api/builds/{id}/approve", List.of());
        PARAMS.put("POST /api/builds/{id}/reject", List.of());
        PARAMS.put("GET /api/builds/{id}/steps/{step}/log", List.of(Param.step(), Param.count("offset", "0 or more")));
        PARAMS.put("POST /api/builds/{id}/keep", List.of());
        PARAMS.put("DELETE /api/builds/{id}/keep", List.of());
        PARAMS.put("GET /api/server/status", List.of());
        PARAMS.put("GET " + EVENTS, List.of(new Param("offsets", false,
                List.of("-1", "abc", "1,,2", "0,x", "99999999999999999999", "0,0"), "at most 1 ")));
        PARAMS.put("POST /api/repos", List.of());
        PARAMS.put("GET /api/repos", List.of());
        PARAMS.put("GET /api/repos/{name}", List.of());
        PARAMS.put("DELETE /api/repos/{name}", List.of());
        PARAMS.put("POST /api/repos/{name}/protected/{branch}", List.of());
        PARAMS.put("DELETE /api/repos/{name}/protected/{branch}", List.of());
        PARAMS.put("POST /api/triggers", List.of());
        PARAMS.put("GET /api/triggers", List.of());
        PARAMS.put("GET /api/triggers/{name}", List.of());
        PARAMS.put("DELETE /api/triggers/{name}", List.of());
        PARAMS.put("POST /api/triggers/{name}/enable", List.of());
        PARAMS.put("POST /api/triggers/{name}/disable", List.of());
        PARAMS.put("POST /api/triggers/{name}/run", List.of());
        PARAMS.put("GET /api/registries", List.of());
        PARAMS.put("POST /api/registries", List.of());
        PARAMS.put("DELETE /api/registries/{host}", List.of());
        PARAMS.put("GET /api/users", List.of());
        PARAMS.put("POST /api/users", List.of());
        PARAMS.put("GET /api/users/{name}", List.of());
        PARAMS.put("POST /api/users/{name}/role", List.of());
        PARAMS.put("POST /api/users/{name}/repo-roles", List.of());
        PARAMS.put("POST /api/users/{name}/disable", List.of());
        PARAMS.put("POST /api/users/{name}/enable", List.of());
        PARAMS.put("POST /api/users/{name}/password", List.of());
        PARAMS.put("GET /api/whoami", List.of());
        PARAMS.put("POST /api/tokens", List.of());
        PARAMS.put("GET /api/tokens", List.of(new Param("user", false, List.of("", "Not A Name"), "a user name")));
        PARAMS.put("DELETE /api/tokens/{id}", List.of());
        PARAMS.put("GET /api/audit", List.of(Param.count("limit", "between 1 and 500", "0", "501"),
                Param.count("before", "1 or more", "0"), new Param("action", false, List.of("x".repeat(65)), "at most 64")));
        PARAMS.put("GET /admin/audit", List.of(Param.count("before", "1 or more", "0"),
                new Param("action", false, List.of("x".repeat(65)), "at most 64")));
        PARAMS.put("GET /api/secrets", List.of());
        PARAMS.put("PUT /api/secrets/{name}", List.of());
        PARAMS.put("DELETE /api/secrets/{name}", List.of());
        PARAMS.put("POST /api/notifications", List.of());
        PARAMS.put("GET /api/notifications", List.of());
        PARAMS.put("DELETE /api/notifications/{id}", List.of());
        PARAMS.put("GET /api/notifications/deliveries", List.of(Param.count("limit", "between 1 and 500", "0", "501")));
        PARAMS.put("GET /api/repos/{name}/policy", List.of());
        PARAMS.put("PUT /api/repos/{name}/policy", List.of());
        PARAMS.put("DELETE /api/repos/{name}/policy", List.of());
        PARAMS.put("GET /api/promotions", List.of(Param.count("limit", "between 1 and 500", "0", "501"),
                new Param("state", false, List.of("nope", "DONE"), "state must be one of [GATES_FAILED")));
        PARAMS.put("GET /api/promotions/{id}", List.of());
        PARAMS.put("POST /api/promotions/{id}/approve", List.of());
        PARAMS.put("POST /api/promotions/{id}/reject", List.of());
        PARAMS.put("GET /api/models", List.of());
        PARAMS.put("GET /api/models/{name}", List.of());
        PARAMS.put("GET /api/models/{name}/versions/{version}", List.of());
        PARAMS.put("POST /api/models/{name}/rollback", List.of());
        PARAMS.put("POST /hooks/{name}", List.of());
        PARAMS.put("GET /promotions", List.of(new Param("state", false, List.of("nope", "DONE"),
                "state must be one of [GATES_FAILED"), new Param("repo", false, List.of("x".repeat(101)), "at most 100")));
        PARAMS.put("GET /promotions/{id}", List.of());
        PARAMS.put("POST /promotions/{id}/approve", List.of());
        PARAMS.put("POST /promotions/{id}/reject", List.of());
        PARAMS.put("GET /models", List.of());
        PARAMS.put("GET /models/{name}", List.of());
        PARAMS.put("GET /", List.of(Param.count("before", "1 or more", "0"),
                new Param("status", false, List.of("nope", "DONE"), "must be one of [PENDING, QUEUED")));
        PARAMS.put("GET /builds/{id}", List.of());
        PARAMS.put("GET /ui/builds/live", List.of());
        PARAMS.put("GET /agents", List.of());
        PARAMS.put("GET /login", List.of());
        PARAMS.put("POST /login", List.of());
        PARAMS.put("POST /logout", List.of());
        PARAMS.put("POST /api/login", List.of());
        PARAMS.put("POST /api/logout", List.of());
        PARAMS.put("POST /builds/{id}/cancel", List.of());
        PARAMS.put("POST /builds/{id}/retry", List.of());
        PARAMS.put("POST /builds/{id}/approve", List.of());
        PARAMS.put("POST /builds/{id}/reject", List.of());
        PARAMS.put("GET /repos", List.of());
        PARAMS.put("GET /repos/{name}", List.of());
        PARAMS.put("POST /triggers/{name}/run", List.of());
        PARAMS.put("GET /builds/{id}/steps/{step}/live", List.of(Param.step()));
        PARAMS.put("GET /builds/{id}/steps/{step}/lines", List.of(Param.step(), Param.count("from", "1 or more", "0"),
                Param.count("to", "1 or more", "0")));
        PARAMS.put("GET /builds/{id}/steps/{step}/plain", List.of(Param.step()));
        PARAMS.put("GET /builds/{id}/steps/{step}/search", List.of(Param.step(),
                new Param("q", false, List.of("", "x".repeat(201)), "1 to 200 characters"),
                Param.count("max", "between 1 and 10000", "0", "10001")));
        PARAMS.put("GET /static/{name}", List.of());
        PARAMS.put("GET /badge/{name}", List.of());
        PARAMS.put("GET /metrics", List.of());
        Param waitParam = Param.count("wait", "between 0 and 60000", "60001");
        Param lease = new Param("lease", false, List.of(), "");
        PARAMS.put("POST " + AgentPaths.LEASE, List.of(waitParam));
        PARAMS.put("POST " + AgentPaths.HEARTBEAT, List.of(waitParam, lease));
        PARAMS.put("GET " + AgentPaths.SOURCE, List.of(lease));
        PARAMS.put("POST " + AgentPaths.STEP_START, List.of(Param.step(), Param.count("time", "0 or more"), lease));
        PARAMS.put("POST " + AgentPaths.STEP_LOG, List.of(Param.step(), Param.count("offset", "0 or more"),
                Param.count("time", "0 or more"), lease));
        PARAMS.put("POST " + AgentPaths.STEP_FINISH, List.of(Param.step(), lease));
        PARAMS.put("POST " + AgentPaths.STEP_METRICS, List.of(Param.step(), lease));
        PARAMS.put("POST " + AgentPaths.BUILD_FINISH, List.of(lease));
        PARAMS.put("POST " + AgentPaths.BUILD_ARTIFACTS, List.of(lease, new Param("path", false, List.of(), ""),
                Param.count("size", "0 or more"), Param.count("step", "0 or more")));
        PARAMS.put("POST " + AgentPaths.BUILD_ARTIFACT_CHECK, List.of(lease, new Param("path", false, List.of(), ""),
                Param.count("size", "0 or more"), Param.count("step", "0 or more")));
        PARAMS.put("POST " + AgentPaths.BUILD_WARNINGS, List.of(lease, Param.count("step", "0 or more")));
        PARAMS.put("GET /api/builds/{id}/artifacts", List.of());
        PARAMS.put("GET /api/builds/{id}/artifacts/<path>", List.of());
        PARAMS.put("POST " + AgentPaths.BUILD_IMAGES, List.of(lease));
        PARAMS.put("GET " + AgentPaths.PRODUCTION, List.of(lease));
        PARAMS.put("GET " + AgentPaths.PRODUCTION_FILE, List.of(lease, new Param("build", false, List.of(), ""),
                new Param("path", false, List.of(), "")));
        PARAMS.put("POST " + AgentPaths.GOODBYE, List.of(new Param("agent", false, List.of(), "")));
        PARAMS.put("POST " + AgentPaths.REGISTER, List.of());
        PARAMS.put("GET /api/agents", List.of());
        PARAMS.put("GET /api/agents/registration-token", List.of());
        PARAMS.put("POST /api/agents/registration-token", List.of());
        PARAMS.put("POST /api/agents/{id}/disable", List.of());
        PARAMS.put("POST /api/agents/{id}/enable", List.of());
    }

    /** Good values, so that each request is wrong in the one parameter under test. */
    private static final Map<String, String> GOOD = Map.ofEntries(Map.entry("lease", "none"), Map.entry("offset", "0"),
            Map.entry("time", "0"), Map.entry("wait", "0"), Map.entry("limit", "1"), Map.entry("before", "1000"),
            Map.entry("offsets", "0"), Map.entry("agent", "agent-gone"), Map.entry("q", "needle"),
            Map.entry("path", "model.pkl"), Map.entry("size", "0"), Map.entry("step", "0"), Map.entry("build", "b-1"));

    @TempDir java.nio.file.Path tmp;
    TestServer kiln;
    int port;
    String buildId;

    @BeforeEach
    void start() throws Exception {
        kiln = TestServer.start(tmp.resolve("data"));
        port = kiln.server.port();
        buildId = kiln.endedBuild(tmp.resolve("ok"));
    }

    @AfterEach
    void stop() {
        kiln.close();
    }

    private Map<String, String> credentials(Endpoint e) throws java.io.IOException {
        Access rule = e.metadata(Roles.class).getRoles().stream().filter(Access.class::isInstance)
                .map(Access.class::cast).findFirst().orElseThrow();
        Map<String, String> h = new LinkedHashMap<>();
        if (rule.realm() == Access.Realm.AGENT) {
            h.put("Authorization", "Bearer " + kiln.server.agentToken());
        } else if (rule.realm() == Access.Realm.USER && (rule.changesState() || rule.role() != null)) {
            h.put("Authorization", "Bearer " + kiln.server.adminToken());
        }
        if (e.path.equals(EVENTS)) {
            h.put("Accept", "text/event-stream");
        }
        return h;
    }

    /** The route's path and query with good values, except {@code param}, which is {@code value} (null: left out). */
    private String target(Endpoint e, List<Param> params, String param, String value) {
        Matcher m = Pattern.compile("\\{(\\w+)}").matcher(e.path);
        StringBuilder path = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            String v = name.equals(param) ? value : name.equals("id") ? buildId : "0";
            m.appendReplacement(path, Matcher.quoteReplacement(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        }
        m.appendTail(path);
        StringBuilder query = new StringBuilder();
        for (Param p : params) {
            if (p.inPath()) {
                continue;
            }
            String v = p.name().equals(param) ? value : GOOD.get(p.name());
            if (v != null) {
                query.append(query.isEmpty() ? "?" : "&").append(p.name()).append('=')
                        .append(URLEncoder.encode(v, StandardCharsets.UTF_8));
            }
        }
        return path + query.toString();
    }

    private void assertClean(SoftAssertions soft, String what, RawHttp.Response r) {
        soft.assertThat(r.body()).as(what + ": body").doesNotContain("Exception", "at dev.", "SELECT", "select ", "jdbc",
                "JDBC", kiln.dataDir.toString(), kiln.dataDir.toAbsolutePath().toString());
    }

    @Test
    void every_route_of_the_table_says_which_parameters_it_takes() {
        assertThat(kiln.server.routes()).extracting(e -> e.method + " " + e.path)
                .containsExactlyInAnyOrderElementsOf(PARAMS.keySet());
    }

    @Test
    void every_bad_parameter_of_every_route_is_a_400_naming_the_parameter_and_its_range() throws Exception {
        SoftAssertions soft = new SoftAssertions();
        int cases = 0;
        for (Endpoint e : kiln.server.routes()) {
            List<Param> params = PARAMS.getOrDefault(e.method + " " + e.path, List.of());
            for (Param p : params) {
                List<String> values = new ArrayList<>(p.bad());
                if (!p.inPath() && !p.name().equals("substitution")) {
                    values.add(null);   // left out: a required one must say so; an optional one is fine
                }
                for (String v : values) {
                    String target = target(e, params, p.name(), v);
                    RawHttp.Response r = RawHttp.send(port, e.method.name(), target, credentials(e), NONE);
                    String what = e.method + " " + target;
                    cases++;
                    assertClean(soft, what, r);
                    if (v == null) {
                        if (p.name().equals("lease") || p.name().equals("agent") || p.name().equals("q")
                                || p.name().equals("time") && e.path.equals(AgentPaths.STEP_START)
                                || p.name().equals("offset") && e.path.startsWith(AgentPaths.PREFIX)
                                || (p.name().equals("path") || p.name().equals("size"))
                                        && e.path.startsWith(AgentPaths.PREFIX + "/builds/{id}/artifacts")
                                || (p.name().equals("path") || p.name().equals("build"))
                                        && e.path.equals(AgentPaths.PRODUCTION_FILE)) {
                            soft.assertThat(r.status()).as(what + ": status").isEqualTo(400);
                            soft.assertThat(r.body()).as(what).contains(p.name() + " is required");
                        } else {
                            // Optional: whatever else the call lacks (the lease call's body), not this parameter.
                            soft.assertThat(r.status()).as(what + ": status").isLessThan(500);
                            soft.assertThat(r.body()).as(what).doesNotContain(p.name() + " must", p.name() + " is");
                        }
                        continue;
                    }
                    soft.assertThat(r.status()).as(what + ": status").isEqualTo(400);
                    soft.assertThat(r.body()).as(what + ": names the parameter").contains(p.name());
                    soft.assertThat(r.body()).as(what + ": states the range").contains(p.range());
                }
            }
        }
        soft.assertAll();
        assertThat(cases).isGreaterThanOrEqualTo(70);
    }

    /** The headers of a read by the CLI: the admin token, and {@code more}. */
    private Map<String, String> reader(String... more) throws java.io.IOException {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Authorization", "Bearer " + kiln.server.adminToken());
        for (int i = 0; i < more.length; i += 2) {
            h.put(more[i], more[i + 1]);
        }
        return h;
    }

    @Test
    void good_edge_values_are_accepted() throws Exception {
        for (String q : List.of("limit=1", "limit=500", "before=1", "before=9223372036854775807")) {
            assertThat(RawHttp.send(port, "GET", "/api/builds?" + q, reader(), NONE).status()).as(q).isEqualTo(200);
        }
        String log = "/api/builds/" + buildId + "/steps/0/log?offset=";
        assertThat(RawHttp.send(port, "GET", log + "0", reader(), NONE).status()).isEqualTo(200);
        assertThat(RawHttp.send(port, "GET", log + "9223372036854775807", reader(), NONE)).extracting(RawHttp.Response::status,
                RawHttp.Response::body).containsExactly(200, "");
        assertThat(RawHttp.send(port, "GET", "/api/builds/" + buildId + "/steps/1/log", reader(), NONE).status())
                .isEqualTo(404);
        var sse = reader("Accept", "text/event-stream");
        for (String q : List.of("", "?offsets=", "?offsets=0", "?offsets=9223372036854775807")) {
            RawHttp.Response r = RawHttp.send(port, "GET", "/api/builds/" + buildId + "/events" + q, sse, NONE);
            assertThat(r.status()).as(q).isEqualTo(200);
        }
    }

    @Test
    void the_events_of_an_unknown_build_are_a_404_and_the_stream_wants_its_accept_header() throws Exception {
        RawHttp.Response unknown = RawHttp.send(port, "GET", "/api/builds/nope/events",
                reader("Accept", "text/event-stream"), NONE);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.body()).contains("no build nope");

        RawHttp.Response plain = RawHttp.send(port, "GET", "/api/builds/" + buildId + "/events", reader(), NONE);
        assertThat(plain.status()).isEqualTo(406);
        assertThat(plain.body()).contains("Accept: text/event-stream");
        RawHttp.Response json = RawHttp.send(port, "GET", "/api/builds/" + buildId + "/events",
                reader("Accept", "application/json"), NONE);
        assertThat(json.status()).isEqualTo(406);
    }

    @Test
    void a_server_side_failure_is_a_500_without_the_path_and_an_agent_refusal_stays_readable() throws Exception {
        try (TestServer quiet = TestServer.start(KilnServer.Config.defaults(tmp.resolve("quiet")).withPort(0)
                .withLocalAgent(false))) {
            String id = quiet.submit(TestServer.repo(tmp.resolve("src"), Map.of("build.yaml", "steps:\n  - args: ['true']\n"))).id();
            int at = quiet.server.port();
            var agent = Map.of("Authorization", "Bearer " + quiet.server.agentToken(), "Content-Type", "application/json");
            RawHttp.Response leased = RawHttp.send(at, "POST", AgentPaths.LEASE + "?wait=5000", agent,
                    "{\"protocol\":1,\"agentId\":\"a\",\"hostname\":\"h\",\"labels\":[]}".getBytes(StandardCharsets.UTF_8));
            assertThat(leased.status()).isEqualTo(200);
            String lease = dev.kiln.spec.json.Json.MAPPER.readTree(leased.body()).path("leaseId").asText();
            // The source the server stored is gone from under it: the agent hears "internal error", not where it was.
            try (var files = java.nio.file.Files.walk(quiet.dataDir)) {
                for (java.nio.file.Path f : files.filter(java.nio.file.Files::isRegularFile)
                        .filter(f -> f.getParent().getFileName().toString().equals("sources")).toList()) {
                    java.nio.file.Files.delete(f);
                }
            }
            RawHttp.Response lost = RawHttp.send(at, "GET", AgentPaths.of(AgentPaths.SOURCE, id) + "?lease=" + lease, agent, NONE);
            assertThat(lost.status()).isEqualTo(500);
            assertThat(lost.body()).contains("internal error").doesNotContain(quiet.dataDir.toString(), "Exception", "sources/");
            RawHttp.Response old = RawHttp.send(at, "POST", AgentPaths.LEASE, agent,
                    "{\"protocol\":99,\"agentId\":\"a\",\"hostname\":\"h\",\"labels\":[]}".getBytes(StandardCharsets.UTF_8));
            assertThat(old.status()).isEqualTo(400);
            assertThat(old.body()).contains("agent speaks protocol 99");
            RawHttp.Response garbled = RawHttp.send(at, "POST", AgentPaths.LEASE, agent, "{not json".getBytes(StandardCharsets.UTF_8));
            assertThat(garbled.status()).isEqualTo(400);
            assertThat(garbled.body()).contains("not valid JSON").doesNotContain("Exception");

        }
    }

    @Test
    void an_upload_cut_off_by_its_client_is_a_400_and_no_build() throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(20_000);
            String head = "POST /api/builds HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nAuthorization: Bearer "
                    + kiln.server.adminToken() + "\r\nContent-Type: application/gzip\r\nContent-Length: 100000\r\n\r\n";
            socket.getOutputStream().write(head.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            socket.getOutputStream().write(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0});
            socket.shutdownOutput();   // the client is gone, 99,992 bytes short
            String response = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);

            assertThat(response).startsWith("HTTP/1.1 400").contains("the request body ended before its Content-Length")
                    .doesNotContain("Exception");
        }
        assertThat(kiln.api.list(10)).extracting(BuildView::id).containsExactly(buildId);
    }
}
