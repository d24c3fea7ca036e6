package dev.kiln.server.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kiln.agent.client.ApiClient;
import dev.kiln.agent.client.Credentials;
import dev.kiln.agent.http.HttpAgentApi;
import dev.kiln.server.KilnServer;
import dev.kiln.server.access.Access;
import dev.kiln.server.access.AuditLog;
import dev.kiln.server.access.Role;
import dev.kiln.server.support.RawHttp;
import dev.kiln.server.support.TestServer;
import dev.kiln.spec.api.AgentView;
import dev.kiln.spec.protocol.AgentJoined;
import dev.kiln.spec.protocol.AgentPaths;
import dev.kiln.spec.protocol.AgentRefusedException;
import dev.kiln.spec.protocol.Lease;
import dev.kiln.spec.protocol.LeaseRequest;
import dev.kiln.spec.protocol.Status;
import io.javalin.router.Endpoint;
import io.javalin.security.Roles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agents join with the registration token and then call with credentials of their own, each of
 * which reaches only the build its agent leases; an admin rotates the token and disables agents.
 * Agents here are real HTTP clients of a real server, without its embedded agent.
 */
class AgentCredentialsTest {
    private static final byte[] NONE = new byte[0];

    @TempDir Path tmp;
    TestServer kiln;
    String url;
    int port;

    @BeforeEach
    void start() throws Exception {
        kiln = TestServer.start(KilnServer.Config.defaults(tmp.resolve("data")).withPort(0).withLocalAgent(false)
                .withLease(Duration.ofSeconds(30), Duration.ofMillis(500)));
        url = kiln.server.url();
        port = kiln.server.port();
    }

    @AfterEach
    void stop() {
        kiln.close();
    }

    private AgentJoined join(String name) throws Exception {
        return HttpAgentApi.join(url, kiln.server.registrationToken(), name, name + ".example");
    }

    private Lease lease(AgentJoined agent) throws Exception {
        return new HttpAgentApi(url, agent.credential())
                .lease(new LeaseRequest(LeaseRequest.PROTOCOL, "run-1", "host-of-" + agent.agentId(), List.of()),
                        Duration.ofSeconds(5)).orElseThrow();
    }

    private String build(String name, String marker) throws Exception {
        return kiln.submit(TestServer.repo(tmp.resolve(name), Map.of("build.yaml", "steps:\n  - args: ['true']\n",
                "model.py", "print('" + marker + "')\n"))).id();
    }

    private static Map<String, String> bearer(String token) {
        return Map.of("Authorization", "Bearer " + token, "Content-Type", "application/json");
    }

    @Test
    void an_agent_credential_reaches_only_the_build_its_agent_leases() throws Exception {
        AgentJoined a = join("gpu-box");
        AgentJoined b = join("cpu-box");
        assertThat(a.agentId()).startsWith("gpu-box-");
        assertThat(a.credential()).isNotEqualTo(b.credential()).isNotEqualTo(kiln.server.registrationToken());
        String unrelated = build("unrelated", "unrelated-source");
        kiln.api.cancel(unrelated);
        String id = build("leased", "leased-source");
        Lease la = lease(a);
        assertThat(la.buildId()).isEqualTo(id);

        // Agent B with A's lease, on every route of a build (walked from the route table, so a route added
        // later is tried too): refused, and nothing reaches the build.
        String q = "?lease=" + la.leaseId();
        int tried = 0;
        for (Endpoint e : kiln.server.routes()) {
            boolean agentRealm = e.metadata(Roles.class).getRoles().stream().anyMatch(r -> r instanceof Access rule
                    && rule.realm() == Access.Realm.AGENT);
            if (!agentRealm || !e.path.contains("{id}")) {
                continue;
            }
            String target = e.path.replace("{id}", id).replace("{step}", "0") + q + "&offset=0&time=1&wait=0";
            RawHttp.Response r = RawHttp.send(port, e.method.name(), target, bearer(b.credential()),
                    "{\"status\":\"SUCCESS\"}".getBytes(StandardCharsets.UTF_8));
            assertThat(r.status()).as(e.method + " " + e.path + " with another agent's credential").isEqualTo(403);
            assertThat(r.body()).contains("leased to another agent").doesNotContain(a.agentId(), "leased-source");
            tried++;
        }
        assertThat(tried).as("source, heartbeat, step start/log/metrics/finish, build finish, images, artifacts,"
                + " artifact check, warnings, production listing and file").isEqualTo(13);
        assertThat(kiln.api.get(id).status()).isEqualTo(Status.WORKING);
        assertThat(kiln.log(id, 0)).isEmpty();

        // A itself: its own build's source, but not the source of a build it never leased, even with its lease id.
        HttpAgentApi apiA = new HttpAgentApi(url, a.credential());
        try (var in = apiA.source(id, la.leaseId())) {
            assertThat(in.readAllBytes()).isNotEmpty();
        }
        RawHttp.Response other = RawHttp.send(port, "GET", AgentPaths.of(AgentPaths.SOURCE, unrelated) + q,
                bearer(a.credential()), NONE);
        assertThat(other.status()).isEqualTo(410);
        assertThat(other.body()).doesNotContain("unrelated-source");
        // Nor anything of the user API: builds, logs, sources, repos.
        for (String read : List.of("/api/builds/" + unrelated, "/api/builds/" + unrelated + "/steps/0/log", "/api/builds",
                "/api/agents", "/api/repos")) {
            assertThat(RawHttp.send(port, "GET", read, bearer(a.credential()), NONE).status()).as(read).isEqualTo(401);
        }
        // The registration token joins, and does nothing else; a credential does not join again.
        String reg = kiln.server.registrationToken();
        assertThat(RawHttp.send(port, "POST", AgentPaths.LEASE, bearer(reg),
                "{\"protocol\":1,\"agentId\":\"x\",\"labels\":[]}".getBytes(StandardCharsets.UTF_8)).status()).isEqualTo(403);
        assertThat(RawHttp.send(port, "GET", AgentPaths.of(AgentPaths.SOURCE, id) + q, bearer(reg), NONE).status())
                .isEqualTo(403);
        assertThat(RawHttp.send(port, "GET", "/api/builds/" + id, bearer(reg), NONE).status()).isEqualTo(401);
        assertThat(RawHttp.send(port, "POST", AgentPaths.REGISTER, bearer(a.credential()),
                "{\"name\":\"again\"}".getBytes(StandardCharsets.UTF_8)).status()).isEqualTo(403);

        apiA.buildFinished(id, la.leaseId(), Status.SUCCESS, null);
        assertThat(kiln.api.get(id).status()).isEqualTo(Status.SUCCESS);
        // Only hashes of the credentials are kept.
        assertThat(Files.readAllBytes(kiln.dataDir.resolve("kiln.mv.db"))).asString(StandardCharsets.ISO_8859_1)
                .doesNotContain(a.credential().substring(7)).doesNotContain(b.credential().substring(7));
    }

    @Test
    void a_rotated_registration_token_joins_no_more_agents_and_those_that_joined_keep_working() throws Exception {
        String old = kiln.server.registrationToken();
        AgentJoined a = join("early");
        String fresh = kiln.api.registrationToken(true);

        assertThat(fresh).isNotEqualTo(old).isEqualTo(kiln.api.registrationToken(false));
        Path file = kiln.dataDir.resolve("agent.token");
        assertThat(Files.readString(file).strip()).isEqualTo(fresh);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThatThrownBy(() -> HttpAgentApi.join(url, old, "late", "h")).isInstanceOf(AgentRefusedException.class)
                .hasMessageContaining("check --token-file");
        assertThat(HttpAgentApi.join(url, fresh, "late", "h").agentId()).startsWith("late-");
        String id = build("src", "x");
        assertThat(lease(a).buildId()).as("the agent that joined with the old token").isEqualTo(id);

        List<AuditLog.Entry> audit = kiln.server.audit().list(20, null, null);
        assertThat(audit).extracting(AuditLog.Entry::action).containsSubsequence("agent.register",
                "agent.registration-token.rotate", "agent.register");
        assertThat(audit).filteredOn(e -> e.action().equals("agent.registration-token.rotate"))
                .extracting(AuditLog.Entry::actor).containsExactly("admin");
        assertThat(audit.toString()).doesNotContain(fresh, old, a.credential());
    }

    @Test
    void a_disabled_agent_is_refused_at_once_its_build_ends_saying_why_and_it_gets_no_more_work() throws Exception {
        AgentJoined a = join("flaky");
        HttpAgentApi apiA = new HttpAgentApi(url, a.credential());
        String id = build("first", "x");
        Lease la = lease(a);
        apiA.stepStarted(id, la.leaseId(), 0, System.currentTimeMillis());
        apiA.appendLog(id, la.leaseId(), 0, 0, "training\n".getBytes(StandardCharsets.UTF_8), 0, 9);
        // A second run of the same agent waits for work inside the scheduler (its hostname shows it asked).
        CompletableFuture<Optional<Lease>> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return apiA.lease(new LeaseRequest(LeaseRequest.PROTOCOL, "run-2", "second-run", List.of()),
                        Duration.ofSeconds(4));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> "second-run".equals(view(a.agentId()).hostname()));

        AgentView disabled = kiln.api.setAgentDisabled(a.agentId(), true);

        assertThat(disabled.disabled()).isTrue();
        var ended = kiln.api.get(id);
        assertThat(ended.status()).isEqualTo(Status.INTERNAL_ERROR);
        assertThat(ended.statusDetail()).isEqualTo("agent " + a.agentId() + " was disabled by admin while it ran this build");
        assertThat(kiln.logText(id, 0)).isEqualTo("training\n\n[kiln] " + ended.statusDetail() + "\n");
        String next = build("second", "y");
        assertThat(waiting.get(10, TimeUnit.SECONDS)).as("the poll that waited when it was disabled").isEmpty();
        assertThat(kiln.api.get(next).status()).isEqualTo(Status.QUEUED);
        assertThatThrownBy(() -> apiA.heartbeat(id, la.leaseId(), Duration.ZERO)).isInstanceOf(AgentRefusedException.class)
                .hasMessageContaining("agent " + a.agentId() + " is disabled");
        assertThatThrownBy(() -> apiA.appendLog(id, la.leaseId(), 0, 9, new byte[] {'x'}, 0, 1))
                .isInstanceOf(AgentRefusedException.class);
        assertThatThrownBy(() -> lease(a)).isInstanceOf(AgentRefusedException.class);
        assertThat(kiln.api.get(next).status()).isEqualTo(Status.QUEUED);

        assertThat(kiln.api.setAgentDisabled(a.agentId(), false).disabled()).isFalse();
        assertThat(lease(a).buildId()).isEqualTo(next);
        assertThat(kiln.server.audit().list(10, null, "agent.disable")).singleElement().satisfies(e -> {
            assertThat(e.actor()).isEqualTo("admin");
            assertThat(e.target()).isEqualTo(a.agentId());
            assertThat(e.detail()).isEqualTo("builds ended: [" + id + "]");
        });
        assertThat(kiln.server.audit().list(10, null, "agent.enable")).hasSize(1);
    }

    @Test
    void viewers_list_agents_and_only_admins_see_the_token_or_disable_one() throws Exception {
        AgentJoined a = join("listed");
        kiln.server.users().add("vic", Role.VIEWER, "a-long-enough-password");
        ApiClient viewer = new ApiClient(url, new Credentials(kiln.server.tokens().create("vic", "t", null, null), "test"));
        kiln.server.users().add("dev", Role.DEVELOPER, "a-long-enough-password");
        ApiClient developer = new ApiClient(url, new Credentials(kiln.server.tokens().create("dev", "t", null, null), "test"));

        assertThat(viewer.agents()).extracting(AgentView::id, AgentView::name, AgentView::disabled)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(a.agentId(), "listed", false));
        for (ApiClient c : List.of(viewer, developer)) {
            assertThatThrownBy(() -> c.registrationToken(false)).hasMessageContaining("needs the admin role");
            assertThatThrownBy(() -> c.registrationToken(true)).hasMessageContaining("needs the admin role");
            assertThatThrownBy(() -> c.setAgentDisabled(a.agentId(), true)).hasMessageContaining("needs the admin role");
        }
        assertThat(kiln.api.agents()).extracting(AgentView::disabled).containsExactly(false);
        assertThatThrownBy(() -> kiln.api.setAgentDisabled("nobody-12345678", true)).hasMessageContaining("no agent nobody-12345678");
        assertThat(RawHttp.send(port, "POST", AgentPaths.REGISTER, bearer(kiln.server.registrationToken()),
                "{\"name\":\"../etc\"}".getBytes(StandardCharsets.UTF_8))).satisfies(r -> {
                    assertThat(r.status()).isEqualTo(400);
                    assertThat(r.body()).contains("an agent's name is 1-48 of");
                });
    }

    private AgentView view(String id) throws Exception {
        return kiln.api.agents().stream().filter(v -> v.id().equals(id)).findFirst().orElseThrow();
    }
}
