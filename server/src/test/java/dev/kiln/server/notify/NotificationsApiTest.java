package dev.kiln.server.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.kiln.server.access.AuditLog;
import dev.kiln.server.access.Role;
import dev.kiln.server.support.GitCli;
import dev.kiln.server.support.KilnProcess;
import dev.kiln.server.support.RawHttp;
import dev.kiln.server.support.TestServer;
import dev.kiln.spec.api.DecisionRequest;
import dev.kiln.spec.api.DeliveryView;
import dev.kiln.spec.api.NotificationRequest;
import dev.kiln.spec.api.NotificationView;
import dev.kiln.spec.api.PolicyRequest;
import dev.kiln.spec.api.RepoRequest;
import dev.kiln.spec.api.TriggerView;
import dev.kiln.spec.json.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Notifications through the real server: an admin adds a hook by API and CLI, the promotion core's
 * {@code publish} is delivered by the server's own sender thread, every change is audited, and the
 * routes are for admins alone.
 */
class NotificationsApiTest {
    private static final byte[] NONE = new byte[0];

    @TempDir Path tmp;

    private static boolean verifies(String secret, Receiver.Post post) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return ("sha256=" + HexFormat.of().formatHex(mac.doFinal(post.body()))).equals(post.header("X-Kiln-Signature"));
    }

    @Test
    void an_admin_adds_a_hook_the_server_delivers_in_the_background_and_the_audit_log_has_both_changes() throws Exception {
        try (TestServer kiln = TestServer.start(tmp.resolve("data")); Receiver rx = new Receiver()) {
            kiln.api.createRepo(new RepoRequest("churn", null, null, null, null));
            NotificationView added = hooks(kiln).add(new NotificationRequest(rx.url("/kiln"), false,
                    List.of("promotion.promoted"), "churn"));
            assertThat(added.secret()).matches("[0-9a-f]{64}");

            kiln.server.notifications().publish(Events.PROMOTED, "churn", Map.of("version", 3));
            Receiver.Post post = rx.next();   // sent by the server's sender thread, woken by publish
            assertThat(verifies(added.secret(), post)).isTrue();
            assertThat(Json.MAPPER.readTree(post.body()).path("data").path("version").asInt()).isEqualTo(3);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(hooks(kiln).deliveries(10))
                    .singleElement().satisfies(d -> {
                        assertThat(d.state()).isEqualTo("DELIVERED");
                        assertThat(d.attempts()).extracting(DeliveryView.Attempt::status).containsExactly(200);
                    }));

            assertThat(hooks(kiln).list()).singleElement().satisfies(h -> {
                assertThat(h.secret()).isNull();
                assertThat(h.events()).containsExactly("promotion.promoted");
                assertThat(h.repo()).isEqualTo("churn");
            });
            RawHttp.Response listed = RawHttp.send(kiln.server.port(), "GET", "/api/notifications",
                    Map.of("Authorization", "Bearer " + kiln.server.adminToken()), NONE);
            assertThat(listed.body()).contains(rx.url("/kiln")).doesNotContain(added.secret(), "\"secret\"");

            hooks(kiln).remove(Long.toString(added.id()));
            assertThat(hooks(kiln).list()).isEmpty();
            assertThatThrownBy(() -> hooks(kiln).remove(Long.toString(added.id())))
                    .hasMessageContaining("no notification hook " + added.id());

            List<AuditLog.Entry> audit = kiln.server.audit().list(50, null, null);
            assertThat(audit).filteredOn(e -> e.action().startsWith("notification.")).extracting(AuditLog.Entry::action,
                    AuditLog.Entry::actor, AuditLog.Entry::target)
                    .containsExactly(tuple("notification.remove", "admin", Long.toString(added.id())),
                            tuple("notification.add", "admin", Long.toString(added.id())));
            assertThat(audit).filteredOn(e -> e.action().equals("notification.add")).singleElement()
                    .extracting(AuditLog.Entry::detail).isEqualTo(rx.url("/...") + " events promotion.promoted repo churn");
            assertThat(audit).extracting(AuditLog.Entry::detail).noneMatch(d -> d != null && d.contains(added.secret()));
        }
    }

    @Test
    void a_bad_hook_is_a_400_saying_why_and_viewers_developers_and_approvers_get_403() throws Exception {
        try (TestServer kiln = TestServer.start(tmp.resolve("data"))) {
            int port = kiln.server.port();
            Map<String, String> admin = Map.of("Authorization", "Bearer " + kiln.server.adminToken(),
                    "Content-Type", "application/json");
            RawHttp.Response ftp = RawHttp.send(port, "POST", "/api/notifications", admin,
                    "{\"url\":\"ftp://example.com/in\"}".getBytes(StandardCharsets.UTF_8));
            assertThat(ftp.status()).isEqualTo(400);
            assertThat(ftp.body()).contains("url must be http:// or https:// (got ftp:)").doesNotContain("Exception");
            RawHttp.Response event = RawHttp.send(port, "POST", "/api/notifications", admin,
                    "{\"url\":\"https://example.com/in\",\"events\":[\"build.done\"]}".getBytes(StandardCharsets.UTF_8));
            assertThat(event.status()).isEqualTo(400);
            assertThat(event.body()).contains("unknown event build.done");
            assertThat(RawHttp.send(port, "POST", "/api/notifications", admin, "[1,".getBytes(StandardCharsets.UTF_8)).status())
                    .isEqualTo(400);
            assertThat(RawHttp.send(port, "GET", "/api/notifications/deliveries?limit=0", admin, NONE).body())
                    .contains("limit must be between 1 and 500");
            NotificationView kept = hooks(kiln).add(new NotificationRequest("https://example.com/in", true, null, null));

            for (Role role : List.of(Role.VIEWER, Role.DEVELOPER, Role.APPROVER)) {
                kiln.server.users().add("u-" + role.label(), role, "a password of this test");
                String token = kiln.server.tokens().create("u-" + role.label(), "test", null, null);
                Map<String, String> as = Map.of("Authorization", "Bearer " + token, "Content-Type", "application/json");
                byte[] body = "{\"url\":\"https://example.com/x\"}".getBytes(StandardCharsets.UTF_8);
                assertThat(RawHttp.send(port, "POST", "/api/notifications", as, body).status()).as(role + " add").isEqualTo(403);
                assertThat(RawHttp.send(port, "GET", "/api/notifications", as, NONE).status()).as(role + " list").isEqualTo(403);
                assertThat(RawHttp.send(port, "DELETE", "/api/notifications/" + kept.id(), as, NONE).status())
                        .as(role + " remove").isEqualTo(403);
                assertThat(RawHttp.send(port, "GET", "/api/notifications/deliveries", as, NONE).status())
                        .as(role + " deliveries").isEqualTo(403);
            }
            assertThat(hooks(kiln).list()).extracting(NotificationView::id).containsExactly(kept.id());
        }
    }

    @Test
    void the_cli_adds_lists_shows_deliveries_and_removes() throws Exception {
        try (TestServer kiln = TestServer.start(tmp.resolve("data")); Receiver rx = new Receiver()) {
            kiln.api.createRepo(new RepoRequest("churn", null, null, null, null));
            String[] server = {"--server", kiln.server.url(), "--token", kiln.server.adminToken()};
            KilnProcess add = KilnProcess.start(tmp, concat(new String[] {"notifications", "add", rx.url("/slack"), "--slack",
                    "--event", "promotion.gates_failed", "--event", "production.build_failed", "--repo", "churn"}, server));
            assertThat(add.awaitExit(Duration.ofSeconds(30))).as(add.output()).isZero();
            String secret = add.output().replaceAll("(?s).*Secret \\(shown once[^:]*\\): ([0-9a-f]{64}).*", "$1");
            assertThat(secret).matches("[0-9a-f]{64}");

            kiln.server.notifications().publish(Events.GATES_FAILED, "churn", Map.of("promotion", 4));
            Receiver.Post post = rx.next();
            assertThat(verifies(secret, post)).as("the secret the CLI printed verifies the delivery").isTrue();
            assertThat(Json.MAPPER.readTree(post.body()).path("text").asText())
                    .isEqualTo("Kiln: promotion gates failed in churn (promotion=4)");
            await().atMost(Duration.ofSeconds(10)).until(() -> hooks(kiln).deliveries(1).get(0).state().equals("DELIVERED"));

            KilnProcess list = KilnProcess.start(tmp, concat(new String[] {"notifications", "list"}, server));
            assertThat(list.awaitExit(Duration.ofSeconds(30))).as(list.output()).isZero();
            assertThat(list.output()).contains("slack", "churn", "promotion.gates_failed,production.build_failed", rx.url("/slack"))
                    .doesNotContain(secret);
            KilnProcess deliveries = KilnProcess.start(tmp, concat(new String[] {"notifications", "deliveries"}, server));
            assertThat(deliveries.awaitExit(Duration.ofSeconds(30))).as(deliveries.output()).isZero();
            assertThat(deliveries.output()).contains("promotion.gates_failed", "churn", "DELIVERED", "HTTP 200");
            long id = hooks(kiln).list().get(0).id();
            KilnProcess remove = KilnProcess.start(tmp, concat(new String[] {"notifications", "remove", Long.toString(id)}, server));
            assertThat(remove.awaitExit(Duration.ofSeconds(30))).as(remove.output()).isZero();
            assertThat(remove.output()).contains("Removed notification hook " + id);
            assertThat(hooks(kiln).list()).isEmpty();
            KilnProcess bad = KilnProcess.start(tmp, concat(new String[] {"notifications", "add", "file:///etc/passwd"}, server));
            assertThat(bad.awaitExit(Duration.ofSeconds(30))).isEqualTo(1);
            assertThat(bad.output()).contains("ERROR: url must be http:// or https:// (got file:)");
        }
    }

    @Test
    void a_promotion_that_waits_for_approval_and_its_rejection_reach_the_hook_of_its_repo() throws Exception {
        try (TestServer kiln = TestServer.start(tmp.resolve("data")); Receiver rx = new Receiver()) {
            kiln.api.createRepo(new RepoRequest("churn", null, null, null, null));
            kiln.api.createTrigger(new TriggerView("dev-push", "churn", "^dev$", null, false, null, List.of(), List.of(),
                    Map.of(), true, null));
            NotificationView hook = hooks(kiln).add(new NotificationRequest(rx.url("/kiln"), true, List.of(), "churn"));
            Map<String, String> admin = Map.of("Authorization", "Bearer " + kiln.server.adminToken(),
                    "Content-Type", "application/json");
            RawHttp.Response policy = RawHttp.send(kiln.server.port(), "PUT", "/api/repos/churn/policy", admin,
                    Json.write(new PolicyRequest("dev", "prod", true, 1, null, false, null, List.of())).getBytes(StandardCharsets.UTF_8));
            assertThat(policy.status()).as(policy.body()).isEqualTo(200);
            GitCli git = GitCli.in(tmp);
            Path work = git.init(tmp.resolve("work"), "dev");
            git.signIn(kiln).run(work, "remote", "add", "kiln", kiln.server.url() + "/git/churn.git");
            String sha = git.commit(work, "a model", Map.of("build.yaml", "steps:\n  - args: ['true']\n"));
            git.run(work, "push", "-q", "kiln", "dev");

            // The dev build passes, the promotion opens, and the core's publish reaches the hook.
            Receiver.Post waiting = rx.next(Duration.ofSeconds(90));
            assertThat(verifies(hook.secret(), waiting)).isTrue();
            assertThat(waiting.header("X-Kiln-Event")).isEqualTo("promotion.awaiting_approval");
            var body = Json.MAPPER.readTree(waiting.body());
            String id = body.path("kiln").path("data").path("promotion").asText();
            assertThat(body.path("kiln").path("data").path("commit").asText()).isEqualTo(sha);
            assertThat(body.path("text").asText()).startsWith("Kiln: promotion awaiting approval in churn (promotion=" + id
                    + ", from=dev, to=prod, commit=" + sha);

            RawHttp.Response reject = RawHttp.send(kiln.server.port(), "POST", "/api/promotions/" + id + "/reject", admin,
                    Json.write(new DecisionRequest("drift on tenure", null, null, null)).getBytes(StandardCharsets.UTF_8));
            assertThat(reject.status()).as(reject.body()).isEqualTo(200);
            Receiver.Post rejected = rx.next();
            assertThat(rejected.header("X-Kiln-Event")).isEqualTo("promotion.rejected");
            assertThat(Json.MAPPER.readTree(rejected.body()).path("kiln").path("data").path("detail").asText())
                    .isEqualTo("rejected by admin: drift on tenure");
            assertThat(verifies(hook.secret(), rejected)).isTrue();
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static dev.kiln.agent.client.NotificationClient hooks(TestServer kiln) {
        return new dev.kiln.agent.client.NotificationClient(kiln.api);
    }
}
