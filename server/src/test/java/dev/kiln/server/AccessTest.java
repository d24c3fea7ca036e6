package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.agent.archive.SourceArchive;
import dev.kiln.server.access.Access;
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

    @TempDir Path tmp;
    TestServer kiln;
    int port;
    String admin;
    String agent;
    String buildId;

    @BeforeEach
    void start() throws Exception {
        kiln = TestServer.start(tmp.resolve("data"));
        port = kiln.server.port();
        admin = kiln.server.adminToken();
        agent = kiln.server.agentToken();
        buildId = kiln.endedBuild(tmp.resolve("ok"));
        kiln.api.createRepo(new dev.kiln.spec.api.RepoRequest("churn", null, null, null, null));
        kiln.api.createTrigger(new dev.kiln.spec.api.TriggerView("dev", "churn", "^dev$", null, false, null, List.of(),
                List.of(), Map.of(), true, null));
        kiln.api.loginRegistry(new dev.kiln.spec.api.RegistryLogin("127.0.0.1:5000", "ci", "registry-password"));
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

    private String target(Endpoint e) {
        return e.path.replace("{id}", buildId).replace("{step}", "0").replace("{name}", "churn")
                .replace("{host}", "127.0.0.1:5000")
                + "?lease=none&offset=0&time=0";
    }

    private RawHttp.Response call(Endpoint e, Map<String, String> headers, byte[] body) throws Exception {
        return RawHttp.send(port, e.method.name(), target(e), headers, body);
    }

    private static Map<String, String> bearer(String token) {
        return Map.of("Authorization", "Bearer " + token);
    }

    @Test
    void every_route_declares_a_rule_and_every_write_is_guarded() throws Exception {
        List<Endpoint> routes = kiln.server.routes();
        assertThat(routes).extracting(e -> e.method + " " + e.path)
                .contains("POST /api/builds", "POST /api/builds/{id}/cancel", "POST /api/builds/{id}/retry",
                        "GET /api/builds/{id}/events", "POST /api/agent/v1/lease", "POST /api/repos",
                        "DELETE /api/repos/{name}", "POST /api/triggers", "POST /api/triggers/{name}/run",
                        "POST /api/builds/{id}/keep", "DELETE /api/builds/{id}/keep", "GET /api/server/status",
                        "POST /builds/{id}/approve", "POST /builds/{id}/reject", "POST /triggers/{name}/run");
        int writes = 0;
        for (Endpoint e : routes) {
            Access rule = rule(e);
            boolean write = rule.changesState() || !Set.of(HandlerType.GET, HandlerType.HEAD).contains(e.method);
            String what = e.method + " " + e.path;
            if (!write) {
                assertThat(call(e, Map.of("Host", "attacker.example:" + port), NONE).status()).as(what + " from a foreign Host")
                        .isEqualTo(421);
                assertThat(call(e, Map.of(), NONE).status()).as(what + " on loopback").isNotIn(401, 403, 421);
                continue;
            }
            writes++;
            assertThat(call(e, Map.of(), NONE).status()).as(what + " without a token").isEqualTo(401);
            assertThat(call(e, bearer("kiln_0123456789abcdef_" + "x".repeat(43)), NONE).status()).as(what + " with a wrong token")
                    .isEqualTo(401);
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
            } else {
                assertThat(call(e, bearer(admin), NONE).status()).as(what + " with the admin token").isEqualTo(401);
                if (rule.realm() == Access.Realm.AGENT && !e.path.equals(dev.kiln.spec.protocol.AgentPaths.REGISTER)) {
                    // The registration token joins an agent and does nothing else.
                    assertThat(call(e, bearer(kiln.server.registrationToken()), NONE).status())
                            .as(what + " with the registration token").isEqualTo(403);
                }
            }
        }
        assertThat(writes).isGreaterThanOrEqualTo(18);
        // None of the refused writes did anything: still the one build, still as it ended; the repo and trigger too.
        assertThat(kiln.api.list(10)).extracting(BuildView::id).containsExactly(buildId);
        assertThat(kiln.api.repos()).extracting(dev.kiln.spec.api.RepoView::name).containsExactly("churn");
        assertThat(kiln.api.trigger("dev").enabled()).isTrue();
        assertThat(kiln.api.registries()).extracting(dev.kiln.spec.api.RegistryView::username).containsExactly("ci");
    }

    @Test
    void git_over_http_answers_its_own_host_names_only_and_no_web_page() throws Exception {
        for (String service : List.of("git-upload-pack", "git-receive-pack")) {
            String refs = "/git/churn.git/info/refs?service=" + service;
            assertThat(RawHttp.send(port, "GET", refs, Map.of(), NONE).status()).as(service).isEqualTo(200);
            RawHttp.Response rebound = RawHttp.send(port, "GET", refs, Map.of("Host", "attacker.example:" + port), NONE);
            assertThat(rebound.status()).as(service + " from a foreign Host").isEqualTo(421);
            assertThat(rebound.body()).doesNotContain("refs/");
            assertThat(RawHttp.send(port, "GET", refs, Map.of("Origin", EVIL), NONE).status()).as(service + " from a page")
                    .isEqualTo(403);
            assertThat(RawHttp.send(port, "POST", "/git/churn.git/" + service,
                    Map.of("Host", "attacker.example:" + port, "Content-Type", "application/x-" + service + "-request"),
                    "0000".getBytes(StandardCharsets.UTF_8)).status()).as(service + " POST from a foreign Host").isEqualTo(421);
        }
        assertThat(RawHttp.send(port, "GET", "/git/nope.git/info/refs?service=git-upload-pack", Map.of(), NONE).status())
                .isEqualTo(404);
        assertThat(RawHttp.send(port, "GET", "/git/..%2Fdata.git/info/refs?service=git-upload-pack", Map.of(), NONE).status())
                .isNotEqualTo(200);
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
