package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.agent.archive.SourceArchive;
import dev.kiln.server.access.Access;
import dev.kiln.server.access.AuditLog;
import dev.kiln.server.access.Role;
import dev.kiln.server.support.RawHttp;
import dev.kiln.server.support.TestServer;
import dev.kiln.spec.api.BuildView;
import io.javalin.http.HandlerType;
import io.javalin.router.Endpoint;
import io.javalin.security.Roles;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Walks the server's real route table, so that a route added later cannot forget its check, and
 * replays the attack a web page can make on a developer's machine where Kiln runs.
 */
class AccessTest {
    private static final byte[] NONE = new byte[0];
    private static final String EVIL = "http://evil.example";

    /** The only routes open to anyone who reaches the server: a route added later is not, unless listed here. */
    private static final Set<String> OPEN = Set.of("GET /api/health", "GET /static/{name}", "GET /login");
    /** The routes forges call, proving themselves by a signature over the body rather than a token. */
    private static final Set<String> HOOKS = Set.of("POST /hooks/{name}");
    /** Event streams: with Accept: text/event-stream they answer 200 and stream; without it, 406. */
    private static final Set<String> STREAMS = Set.of("GET /api/builds/{id}/events", "GET /ui/builds/live",
            "GET /builds/{id}/steps/{step}/live");
    /** The least role of the routes whose rule a slip must not weaken (every other route needs a rule too). */
    private static final Map<String, Access> EXPECTED = Map.ofEntries(
            Map.entry("POST /api/builds", Access.write(Role.DEVELOPER, "application/gzip", "application/x-gzip")),
            Map.entry("POST /api/builds/{id}/cancel", Access.repoWrite(Role.DEVELOPER)),
            Map.entry("POST /api/builds/{id}/retry", Access.repoWrite(Role.DEVELOPER)),
            Map.entry("POST /api/builds/{id}/approve", Access.repoWrite(Role.APPROVER)),
            Map.entry("POST /api/builds/{id}/reject", Access.repoWrite(Role.APPROVER)),
            Map.entry("POST /api/builds/{id}/keep", Access.repoWrite(Role.DEVELOPER)),
            Map.entry("DELETE /api/builds/{id}/keep", Access.repoWrite(Role.DEVELOPER)),
            Map.entry("POST /api/triggers/{name}/run", Access.repoWrite(Role.DEVELOPER)),
            Map.entry("POST /api/repos", Access.write(Role.ADMIN)),
            Map.entry("DELETE /api/repos/{name}", Access.write(Role.ADMIN)),
            Map.entry("POST /api/triggers", Access.write(Role.ADMIN)),
            Map.entry("DELETE /api/triggers/{name}", Access.write(Role.ADMIN)),
            Map.entry("POST /api/registries", Access.write(Role.ADMIN)),
            Map.entry("GET /api/audit", Access.read(Role.ADMIN)),
            Map.entry("POST /api/notifications", Access.write(Role.ADMIN)),
            Map.entry("GET /api/notifications", Access.read(Role.ADMIN)),
            Map.entry("DELETE /api/notifications/{id}", Access.write(Role.ADMIN)),
            Map.entry("GET /api/notifications/deliveries", Access.read(Role.ADMIN)),
            Map.entry("GET /admin/audit", Access.read(Role.ADMIN)),
            Map.entry("POST /builds/{id}/approve", Access.repoForm(Role.APPROVER)),
            Map.entry("POST /promotions/{id}/approve", Access.repoForm(Role.APPROVER)),
            Map.entry("POST /promotions/{id}/reject", Access.repoForm(Role.APPROVER)),
            Map.entry("POST /triggers/{name}/run", Access.repoForm(Role.DEVELOPER)));

    @TempDir Path tmp;
    TestServer kiln;
    int port;
    String admin;
    String agent;
    String buildId;
    /** The promotion churn's green dev build opened (its policy is set before the fixture builds it). */
    String promotion;

    @BeforeEach
    void start() throws Exception {
        kiln = TestServer.start(tmp.resolve("data"));
        port = kiln.server.port();
        admin = kiln.server.adminToken();
        agent = kiln.server.agentToken();
        buildId = kiln.endedBuild(tmp.resolve("ok"));
        kiln.api.createRepo(new dev.kiln.spec.api.RepoRequest(AccessFixture.REPO, null, null, null, null));
        kiln.api.createTrigger(new dev.kiln.spec.api.TriggerView("dev", AccessFixture.REPO, "^dev$", null, false, null,
                List.of(), List.of(), Map.of(), true, null));
        kiln.api.loginRegistry(new dev.kiln.spec.api.RegistryLogin("127.0.0.1:5000", "ci", "registry-password"));
        new dev.kiln.agent.client.NotificationClient(kiln.api).add(new dev.kiln.spec.api.NotificationRequest("http://127.0.0.1:9/hook", false, List.of(), null));
        kiln.server.promotions().setPolicy(AccessFixture.REPO, AccessFixture.POLICY, "admin");
    }

    @AfterEach
    void stop() {
        kiln.close();
    }

    private static Access rule(Endpoint e) {
        Roles roles = e.metadata(Roles.class);
        List<Access> rules = roles == null ? List.of() : roles.getRoles().stream()
                .filter(Access.class::isInstance).map(Access.class::cast).toList();
        assertThat(rules).as(e.method + " " + e.path + " declares exactly one Access rule").hasSize(1);
        return rules.get(0);
    }

    /** The route's path for {@code build}, {@code name}, registry host and artifact path, with the query any of them takes. */
    private static String target(Endpoint e, String build, String name, String promotion) {
        boolean promotionPath = e.path.startsWith("/api/promotions/") || e.path.startsWith("/promotions/");
        return e.path.replace("{id}", promotionPath ? promotion : build).replace("{step}", "0")
                .replace("{name}", e.path.startsWith("/badge/") ? name + ".svg"
                        : e.path.startsWith("/api/models/") || e.path.startsWith("/models/") ? AccessFixture.REPO : name)
                .replace("{version}", "1")
                .replace("{host}", "127.0.0.1:5000").replace("{branch}", "prod").replace("<path>", "out/model.pkl")
                + "?lease=none&offset=0&time=0&q=needle";
    }

    private String target(Endpoint e) {
        return target(e, buildId, AccessFixture.REPO, promotion);
    }

    private RawHttp.Response call(Endpoint e, Map<String, String> headers, byte[] body) throws Exception {
        return RawHttp.send(port, e.method.name(), target(e), headers, body);
    }

    private static Map<String, String> bearer(String token) {
        return Map.of("Authorization", "Bearer " + token);
    }

    private static String what(Endpoint e) {
        return e.method + " " + e.path;
    }

    /** Everything a refused call could have changed: builds and their states, repos, triggers, logins, hooks, the audit log. */
    private List<Object> state() throws Exception {
        return List.of(kiln.api.list(100).stream().map(b -> b.id() + " " + b.status() + " " + b.approval()).toList(),
                kiln.api.repos().stream().map(dev.kiln.spec.api.RepoView::name).sorted().toList(),
                kiln.api.triggers().stream().map(t -> t.name() + " " + t.enabled()).toList(),
                kiln.api.registries().stream().map(dev.kiln.spec.api.RegistryView::username).toList(),
                new dev.kiln.agent.client.NotificationClient(kiln.api).list().stream().map(dev.kiln.spec.api.NotificationView::id).toList(),
                kiln.server.audit().list(500, null, null).stream().map(AuditLog.Entry::seq).toList());
    }

    @Test
    void every_route_declares_a_rule_and_every_write_is_guarded() throws Exception {
        AccessFixture as = new AccessFixture(kiln, tmp);
        promotion = AccessFixture.promotion(kiln);
        List<Endpoint> routes = kiln.server.routes();
        assertThat(routes).extracting(AccessTest::what).containsAll(EXPECTED.keySet())
                .contains("GET /api/builds/{id}/events", "POST /api/agent/v1/lease", "GET /api/server/status",
                        "POST /builds/{id}/reject", "GET /metrics", "GET /builds/{id}/steps/{step}/plain");
        List<Object> before = state();
        int writes = 0;
        int belowChecks = 0;
        int otherRepoChecks = 0;
        for (Endpoint e : routes) {
            Access rule = rule(e);
            String what = what(e);
            if (EXPECTED.containsKey(what)) {
                assertThat(rule).as(what + "'s rule").isEqualTo(EXPECTED.get(what));
            }
            boolean open = rule.role() == null && rule.realm() == Access.Realm.USER && !rule.changesState();
            assertThat(open).as(what + " is open to anyone: only " + OPEN + " may be").isEqualTo(OPEN.contains(what));
            assertThat(rule.realm() == Access.Realm.HOOK).as(what + " takes forges' signatures: only " + HOOKS + " may")
                    .isEqualTo(HOOKS.contains(what));
            if (rule.realm() == Access.Realm.AGENT) {
                assertThat(e.path).as(what + " takes the agents' credential").startsWith("/api/agent/");
            }
            if (rule.realm() == Access.Realm.LOGIN) {
                assertThat(e.path).as(what + " takes a password").endsWith("/login");
            }
            if (rule.realm() == Access.Realm.USER || rule.realm() == Access.Realm.BROWSER) {
                assertThat(rule.role() != null || open).as(what + " names the role it needs").isTrue();
            }
            // Who reaches the server without credentials, or with dead ones, gets nothing.
            RawHttp.Response anonymous = call(e, Map.of(), NONE);
            if (open) {
                assertThat(anonymous.status()).as(what + " without a token").isNotIn(401, 403);
                continue;
            }
            if (HOOKS.contains(what)) {
                assertThat(anonymous.status()).as(what + " unsigned").isBetween(400, 499);
                continue;
            }
            assertThat(anonymous.status()).as(what + " without a token").isEqualTo(401);
            assertThat(call(e, bearer(as.revoked), NONE).status()).as(what + " with a revoked token").isEqualTo(401);
            assertThat(call(e, bearer(as.expired), NONE).status()).as(what + " with an expired token").isEqualTo(401);
            assertThat(call(e, bearer("kiln_0123456789abcdef_" + "x".repeat(43)), NONE).status()).as(what + " with a wrong token")
                    .isEqualTo(401);
            boolean write = rule.changesState() || !Set.of(HandlerType.GET, HandlerType.HEAD).contains(e.method);
            Role below = rule.role() == null ? null : rule.role().below();
            if (rule.realm() == Access.Realm.USER) {
                if (below != null) {
                    belowChecks++;
                    assertThat(call(e, bearer(as.token.get(below)), NONE).status()).as(what + " as a " + below.label())
                            .isEqualTo(403);
                    if (!rule.changesState()) {
                        assertThat(call(e, Map.of("Cookie", as.session.get(below).cookie()), NONE).status())
                                .as(what + " signed in as a " + below.label()).isEqualTo(403);
                    }
                }
                if (rule.repoScoped()) {
                    otherRepoChecks++;
                    RawHttp.Response r = RawHttp.send(port, e.method.name(), target(e, as.repoBuild, "dev", promotion),
                            bearer(as.otherRepoToken.get(rule.role())), NONE);
                    assertThat(r.status()).as(what + " as a " + rule.role().label() + " of another repo only").isEqualTo(403);
                    assertThat(r.body()).as(what).contains("on repo " + AccessFixture.REPO);
                }
            }
            if (rule.realm() == Access.Realm.BROWSER) {
                assertThat(call(e, bearer(admin), NONE).status()).as(what + " with a token instead of a session").isEqualTo(401);
                if (below != null) {
                    belowChecks++;
                    assertThat(form(e, target(e, as.repoBuild, "dev", promotion), as.session.get(below)).status())
                            .as(what + " signed in as a " + below.label()).isEqualTo(403);
                }
                if (rule.repoScoped()) {
                    otherRepoChecks++;
                    assertThat(form(e, target(e, as.repoBuild, "dev", promotion), as.otherRepoSession.get(rule.role())).status())
                            .as(what + " signed in as a " + rule.role().label() + " of another repo only").isEqualTo(403);
                }
            }
            if (!write) {
                assertThat(call(e, Map.of("Host", "attacker.example:" + port), NONE).status()).as(what + " from a foreign Host")
                        .isEqualTo(421);
                if (rule.role() == Role.VIEWER) {
                    assertThat(call(e, bearer(as.token.get(Role.VIEWER)), NONE).status()).as(what + " as a viewer")
                            .isNotIn(401, 403, 421);
                }
                continue;
            }
            writes++;
            if (rule.realm() == Access.Realm.USER) {
                assertThat(call(e, bearer(agent), NONE).status()).as(what + " with an agent's credential").isEqualTo(401);
                assertThat(call(e, bearer(kiln.server.registrationToken()), NONE).status())
                        .as(what + " with the agents' registration token").isEqualTo(401);
                assertThat(call(e, Map.of("Authorization", "Bearer " + admin, "Origin", EVIL), NONE).status())
                        .as(what + " from a foreign Origin").isEqualTo(403);
                assertThat(call(e, Map.of("Authorization", "Bearer " + admin, "Referer", EVIL + "/page"), NONE).status())
                        .as(what + " from a foreign page").isEqualTo(403);
                assertThat(call(e, Map.of("Authorization", "Bearer " + admin, "Content-Type", "text/plain"),
                        "x".getBytes(StandardCharsets.UTF_8)).status()).as(what + " with text/plain").isEqualTo(415);
                assertThat(call(e, Map.of("Authorization", "Bearer " + admin, "Content-Type",
                        "application/x-www-form-urlencoded"), "a=b".getBytes(StandardCharsets.UTF_8)).status())
                        .as(what + " with a form").isEqualTo(415);
                assertThat(call(e, Map.of("Host", "attacker.example:" + port, "Authorization", "Bearer " + admin), NONE)
                        .status()).as(what + " from a foreign Host").isEqualTo(421);
            } else if (rule.realm() == Access.Realm.AGENT) {
                assertThat(call(e, bearer(admin), NONE).status()).as(what + " with the admin token").isEqualTo(401);
                if (!e.path.equals(dev.kiln.spec.protocol.AgentPaths.REGISTER)) {
                    // The registration token joins an agent and does nothing else.
                    assertThat(call(e, bearer(kiln.server.registrationToken()), NONE).status())
                            .as(what + " with the registration token").isEqualTo(403);
                }
            }
        }
        assertThat(writes).isGreaterThanOrEqualTo(18);
        assertThat(belowChecks).isGreaterThanOrEqualTo(20);
        assertThat(otherRepoChecks).isGreaterThanOrEqualTo(12);
        // None of the refused calls did anything: the same builds in the same states, repos, triggers, logins, audit.
        assertThat(state()).isEqualTo(before);
    }

    /** A dashboard form post of this server's own page in {@code session}, with its CSRF token. */
    private RawHttp.Response form(Endpoint e, String target, AccessFixture.Session session) throws Exception {
        return RawHttp.send(port, e.method.name(), target, Map.of("Cookie", session.cookie(), "Origin",
                kiln.server.url(), "Content-Type", Access.FORM), ("csrf=" + session.csrf() + "&kind=branch&ref=dev")
                .getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void with_public_read_anyone_reads_what_a_viewer_may_and_nothing_more() throws Exception {
        try (TestServer open = TestServer.start(KilnServer.Config.defaults(tmp.resolve("public")).withPort(0)
                .withLease(Duration.ofSeconds(3), Duration.ofMillis(500)).withPublicRead(true))) {
            // A build that kept out/model.pkl, so that its artifact's download is a read that answers 200 too.
            String build = open.submit(TestServer.repo(tmp.resolve("public-src"), Map.of("build.yaml", """
                    steps:
                      - args: [sh, -c, 'mkdir -p out && echo weights > out/model.pkl']
                        artifacts: [out/model.pkl]
                    """))).id();
            assertThat(open.awaitEnd(build, Duration.ofSeconds(30)).status()).isEqualTo(dev.kiln.spec.protocol.Status.SUCCESS);
            open.api.createRepo(new dev.kiln.spec.api.RepoRequest(AccessFixture.REPO, null, null, null, null));
            open.api.createTrigger(new dev.kiln.spec.api.TriggerView(AccessFixture.REPO, AccessFixture.REPO, "^dev$", null, false,
                    null, List.of(), List.of(), Map.of(), true, null));
            // A promotion of churn, approved into model version 1: its pages and the registry's answer 200 too.
            open.server.promotions().setPolicy(AccessFixture.REPO, AccessFixture.POLICY, "admin");
            String churnBuild = AccessFixture.repoBuild(open, tmp.resolve("public-churn"), AccessFixture.REPO);
            String promoted = AccessFixture.promotion(open);
            var p = open.server.promotions().promotions().get(promoted).orElseThrow();
            open.server.promotions().promotions().approve(promoted, new dev.kiln.server.access.Principal("t", "admin",
                    Role.ADMIN, Map.of()), new dev.kiln.spec.api.DecisionRequest(null, p.commitSha(), p.metricsDigest(),
                    p.artifactsDigest()));
            assertThat(open.server.promotions().registry().current(AccessFixture.REPO)).isPresent();
            List<Long> audit = open.server.audit().list(500, null, null).stream().map(AuditLog.Entry::seq).toList();
            int reads = 0;
            for (Endpoint e : open.server.routes()) {
                Access rule = rule(e);
                String what = what(e);
                String target = target(e, build, AccessFixture.REPO, promoted);
                boolean stream = STREAMS.contains(what);
                RawHttp.Response r = RawHttp.send(open.server.port(), e.method.name(), target,
                        stream ? Map.of("Accept", "text/event-stream") : Map.of(), NONE);
                if (rule.realm() == Access.Realm.USER && !rule.changesState() && rule.role() == Role.VIEWER) {
                    reads++;
                    assertThat(r.status()).as(what + " read by anyone").isEqualTo(200);
                    assertThat(r.body()).as(what).doesNotContain("Exception");
                } else if (rule.realm() == Access.Realm.USER && rule.role() != null
                        || rule.realm() == Access.Realm.BROWSER) {
                    assertThat(r.status()).as(what + " by anyone").isEqualTo(401);
                }
            }
            assertThat(reads).isGreaterThanOrEqualTo(20);
            assertThat(open.api.list(10)).extracting(BuildView::id).containsExactly(churnBuild, build);
            assertThat(open.server.audit().list(500, null, null)).extracting(AuditLog.Entry::seq).isEqualTo(audit);
        }
    }

    @Test
    void git_over_http_answers_its_own_host_names_only_and_no_web_page() throws Exception {
        Map<String, String> asAdmin = Map.of("Authorization", basic("admin", admin));
        for (String service : List.of("git-upload-pack", "git-receive-pack")) {
            String refs = "/git/churn.git/info/refs?service=" + service;
            RawHttp.Response anonymous = RawHttp.send(port, "GET", refs, Map.of(), NONE);
            assertThat(anonymous.status()).as(service + " without credentials").isEqualTo(401);
            assertThat(anonymous.body()).doesNotContain("refs/");
            // Whether a repo exists is not told to someone without credentials: the same answer.
            assertThat(RawHttp.send(port, "GET", "/git/nope.git/info/refs?service=" + service, Map.of(), NONE))
                    .isEqualTo(anonymous);
            assertThat(RawHttp.send(port, "GET", refs, Map.of("Authorization", basic("admin", admin + "x")), NONE).status())
                    .as(service + " with a bad token").isEqualTo(401);
            assertThat(RawHttp.send(port, "GET", refs, Map.of("Authorization", basic("someone", admin)), NONE).status())
                    .as(service + " with another user's token").isEqualTo(401);
            assertThat(RawHttp.send(port, "GET", refs, asAdmin, NONE).status()).as(service).isEqualTo(200);
            RawHttp.Response rebound = RawHttp.send(port, "GET", refs, Map.of("Host", "attacker.example:" + port,
                    "Authorization", basic("admin", admin)), NONE);
            assertThat(rebound.status()).as(service + " from a foreign Host").isEqualTo(421);
            assertThat(rebound.body()).doesNotContain("refs/");
            assertThat(RawHttp.send(port, "GET", refs, Map.of("Origin", EVIL, "Authorization", basic("admin", admin)), NONE)
                    .status()).as(service + " from a page").isEqualTo(403);
            assertThat(RawHttp.send(port, "POST", "/git/churn.git/" + service,
                    Map.of("Host", "attacker.example:" + port, "Content-Type", "application/x-" + service + "-request"),
                    "0000".getBytes(StandardCharsets.UTF_8)).status()).as(service + " POST from a foreign Host").isEqualTo(421);
        }
        assertThat(RawHttp.send(port, "GET", "/git/nope.git/info/refs?service=git-upload-pack", asAdmin, NONE).status())
                .isEqualTo(404);
        assertThat(RawHttp.send(port, "GET", "/git/..%2Fdata.git/info/refs?service=git-upload-pack", asAdmin, NONE).status())
                .isNotEqualTo(200);
    }

    private static String basic(String user, String password) {
        return "Basic " + java.util.Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void the_drive_by_attack_of_a_web_page_creates_no_build_and_runs_nothing() throws Exception {
        Path marker = tmp.resolve("pwned");
        Path repo = TestServer.repo(tmp.resolve("evil"), Map.of("build.yaml",
                "steps:\n  - args: [sh, -c, 'touch " + marker + "']\n"));
        ByteArrayOutputStream tgz = new ByteArrayOutputStream();
        SourceArchive.pack(repo, tgz);
        // What fetch(url, {method: 'POST', mode: 'no-cors', body}) sends: no preflight, no token.
        var page = Map.of("Content-Type", "text/plain", "Origin", EVIL);
        assertThat(RawHttp.send(port, "POST", "/api/builds", page, tgz.toByteArray()).status()).isEqualTo(403);
        var form = Map.of("Content-Type", "application/x-www-form-urlencoded", "Origin", EVIL);
        assertThat(RawHttp.send(port, "POST", "/api/builds/" + buildId + "/retry", form, NONE).status()).isEqualTo(403);
        // Without an Origin (a page that suppressed it), the missing token refuses it.
        var noOrigin = Map.of("Content-Type", "text/plain");
        assertThat(RawHttp.send(port, "POST", "/api/builds", noOrigin, tgz.toByteArray()).status()).isEqualTo(401);
        // Even a page that somehow holds the token is refused for its origin, and a rebound name for its Host.
        var withToken = Map.of("Content-Type", "application/gzip", "Origin", EVIL, "Authorization", "Bearer " + admin);
        assertThat(RawHttp.send(port, "POST", "/api/builds", withToken, tgz.toByteArray()).status()).isEqualTo(403);
        var rebound = Map.of("Host", "attacker.example:" + port);
        RawHttp.Response read = RawHttp.send(port, "GET", "/api/builds", rebound, NONE);
        assertThat(read.status()).isEqualTo(421);
        assertThat(read.body()).doesNotContain(buildId);

        assertThat(kiln.api.list(10)).extracting(BuildView::id).containsExactly(buildId);
        assertThat(marker).doesNotExist();
        // The same upload from the CLI's side (token, no Origin, application/gzip) is accepted.
        var cli = Map.of("Content-Type", "application/gzip", "Authorization", "Bearer " + admin);
        assertThat(RawHttp.send(port, "POST", "/api/builds", cli, tgz.toByteArray()).status()).isEqualTo(201);
    }

    @Test
    void a_refusal_says_where_the_token_lives_and_nothing_secret_is_in_the_data_directory_for_others() throws Exception {
        RawHttp.Response r = RawHttp.send(port, "POST", "/api/builds/" + buildId + "/cancel", Map.of(), NONE);
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.body()).contains(kiln.dataDir.resolve("admin.token").toAbsolutePath().toString())
                .doesNotContain(admin).doesNotContain("Exception");
        for (String f : List.of("admin.token", "agent.token", "kiln.mv.db")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(kiln.dataDir.resolve(f)))).as(f)
                    .isEqualTo("rw-------");
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(kiln.dataDir))).isEqualTo("rwx------");
        // Only a hash is kept in the database.
        assertThat(Files.readAllBytes(kiln.dataDir.resolve("kiln.mv.db")))
                .asString(StandardCharsets.ISO_8859_1).doesNotContain(admin.substring(22));
    }
}
