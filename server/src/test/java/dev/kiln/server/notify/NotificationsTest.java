package dev.kiln.server.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.server.git.Refusal;
import dev.kiln.server.scheduler.MutableClock;
import dev.kiln.server.secrets.MasterKey;
import dev.kiln.server.secrets.Vault;
import dev.kiln.server.store.Database;
import dev.kiln.spec.api.DeliveryView;
import dev.kiln.spec.api.NotificationRequest;
import dev.kiln.spec.api.NotificationView;
import dev.kiln.spec.json.Json;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deliveries to a real HTTP receiver on loopback, with the clock the test moves: {@code deliverDue()}
 * makes exactly the attempts due at the instant the test set, so back-off is checked to the
 * millisecond and nothing sleeps.
 */
class NotificationsTest {
    private static final long T0 = Instant.parse("2026-11-27T12:00:00Z").toEpochMilli();

    @TempDir Path tmp;
    final MutableClock clock = new MutableClock(T0);
    Path dir;
    Database db;
    Notifications notifications;
    Receiver rx;

    @BeforeEach
    void open() throws Exception {
        dir = Files.createDirectories(tmp.resolve("data"));
        rx = new Receiver();
        notifications = open(dir);
    }

    private Notifications open(Path data) throws Exception {
        db = Database.open(Database.h2Url(data), null, null);
        return new Notifications(db, new Vault(db, MasterKey.load(data, null), clock), clock, Set.of("churn", "other")::contains);
    }

    @AfterEach
    void close() {
        notifications.close();
        db.close();
        rx.close();
    }

    private NotificationView hook(String path, boolean slack, List<String> events, String repo) {
        return notifications.add(new NotificationRequest(rx.url(path), slack, events, repo));
    }

    /** The receiver's side of the signature: what a user's code computes with the secret the add printed. */
    private static String signature(String secret, byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
    }

    private DeliveryView only() {
        List<DeliveryView> all = notifications.deliveries(10);
        assertThat(all).hasSize(1);
        return all.get(0);
    }

    private int at(long time) throws InterruptedException {
        clock.set(time);
        return notifications.deliverDue();
    }

    @Test
    void a_delivery_is_signed_with_the_secret_the_add_returned_and_says_what_happened() throws Exception {
        NotificationView added = hook("/hook", false, List.of(), null);
        assertThat(added.secret()).matches("[0-9a-f]{64}");
        assertThat(notifications.list()).singleElement().satisfies(h -> assertThat(h.secret()).isNull());
        assertThat(Json.write(notifications.list())).doesNotContain(added.secret(), "secret");

        Map<String, Object> data = new LinkedHashMap<>();
        data.put("promotion", 12);
        data.put("commit", "0123abc");
        notifications.publish(Events.AWAITING_APPROVAL, "churn", data);
        // publish only wrote the delivery: nothing reached the receiver yet.
        assertThat(rx.taken()).isEmpty();
        assertThat(only().state()).isEqualTo("PENDING");
        assertThat(only().attempts()).isEmpty();

        assertThat(notifications.deliverDue()).isEqualTo(1);
        Receiver.Post post = rx.taken().get(0);
        assertThat(post.header("X-Kiln-Signature")).isEqualTo(signature(added.secret(), post.body()));
        assertThat(post.header("X-Kiln-Signature")).isNotEqualTo(signature(added.secret(), (post.text() + " ").getBytes(StandardCharsets.UTF_8)))
                .isNotEqualTo(signature("0".repeat(64), post.body()));
        assertThat(post.header("X-Kiln-Event")).isEqualTo("promotion.awaiting_approval");
        assertThat(post.header("Content-Type")).isEqualTo("application/json");
        JsonNode body = Json.MAPPER.readTree(post.body());
        assertThat(body.fieldNames()).toIterable().containsExactly("event", "repo", "time", "data", "delivery");
        assertThat(body.path("event").asText()).isEqualTo("promotion.awaiting_approval");
        assertThat(body.path("repo").asText()).isEqualTo("churn");
        assertThat(body.path("time").asText()).isEqualTo("2026-11-27T12:00:00Z");
        assertThat(body.path("data").path("promotion").asInt()).isEqualTo(12);
        assertThat(body.path("data").path("commit").asText()).isEqualTo("0123abc");
        assertThat(post.header("X-Kiln-Delivery")).isEqualTo(body.path("delivery").asText()).isEqualTo(Long.toString(only().id()));

        DeliveryView d = only();
        assertThat(d.state()).isEqualTo("DELIVERED");
        assertThat(d.hookId()).isEqualTo(added.id());
        assertThat(d.url()).isEqualTo(rx.url("/hook"));
        assertThat(d.attempts()).containsExactly(new DeliveryView.Attempt(1, Instant.ofEpochMilli(T0), 200, null));
        assertThat(d.nextAttemptTime()).isNull();
        assertThat(at(T0 + Duration.ofDays(1).toMillis())).as("a delivered notification is not sent again").isZero();
    }

    @Test
    void a_receiver_that_fails_twice_is_tried_again_at_the_backoff_instants_and_each_attempt_is_recorded() throws Exception {
        NotificationView added = hook("/hook", false, List.of(), null);
        rx.answer(500, 500);
        notifications.publish(Events.GATES_FAILED, "churn", Map.of("gate", "accuracy >= 0.80"));

        assertThat(at(T0)).isEqualTo(1);
        assertThat(only().state()).isEqualTo("PENDING");
        assertThat(only().nextAttemptTime()).isEqualTo(Instant.ofEpochMilli(T0 + 10_000));
        assertThat(at(T0 + 9_999)).as("a millisecond early").isZero();
        assertThat(at(T0 + 10_000)).isEqualTo(1);
        assertThat(at(T0 + 39_999)).as("30 s after the second attempt, less a millisecond").isZero();
        assertThat(at(T0 + 40_000)).isEqualTo(1);

        DeliveryView d = only();
        assertThat(d.state()).isEqualTo("DELIVERED");
        assertThat(d.lastStatus()).isEqualTo(200);
        assertThat(d.attempts()).containsExactly(
                new DeliveryView.Attempt(1, Instant.ofEpochMilli(T0), 500, null),
                new DeliveryView.Attempt(2, Instant.ofEpochMilli(T0 + 10_000), 500, null),
                new DeliveryView.Attempt(3, Instant.ofEpochMilli(T0 + 40_000), 200, null));
        // Every attempt sent the same bytes, so the same signature and delivery id: a receiver can de-duplicate.
        List<Receiver.Post> posts = rx.taken();
        assertThat(posts).hasSize(3);
        assertThat(posts).extracting(Receiver.Post::text).containsOnly(posts.get(0).text());
        assertThat(posts).extracting(p -> p.header("X-Kiln-Signature")).containsOnly(signature(added.secret(), posts.get(0).body()));
        assertThat(posts).extracting(p -> p.header("X-Kiln-Delivery")).containsOnly(Long.toString(d.id()));
        assertThat(at(T0 + Duration.ofHours(3).toMillis())).isZero();
    }

    @Test
    void after_the_sixth_failed_attempt_the_delivery_gives_up() throws Exception {
        hook("/hook", false, List.of(), null);
        rx.answer(503, 503, 503, 503, 503, 503, 503);
        notifications.publish(Events.PROMOTED, "churn", Map.of());
        long[] instants = {T0, T0 + 10_000, T0 + 40_000, T0 + 160_000, T0 + 760_000, T0 + 4_360_000};
        for (long t : instants) {
            assertThat(at(t - 1)).as("just before " + Instant.ofEpochMilli(t)).isZero();
            assertThat(at(t)).as("at " + Instant.ofEpochMilli(t)).isEqualTo(1);
        }
        DeliveryView d = only();
        assertThat(d.state()).isEqualTo("GAVE_UP");
        assertThat(d.nextAttemptTime()).isNull();
        assertThat(d.attempts()).extracting(DeliveryView.Attempt::time).containsExactly(
                java.util.Arrays.stream(instants).mapToObj(Instant::ofEpochMilli).toArray(Instant[]::new));
        assertThat(d.attempts()).extracting(DeliveryView.Attempt::status).containsOnly(503);
        assertThat(at(T0 + Duration.ofDays(2).toMillis())).isZero();
        assertThat(rx.taken()).hasSize(6);
    }

    @Test
    void a_receiver_that_cannot_be_reached_or_redirects_is_a_failed_attempt_saying_why() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        notifications.add(new NotificationRequest("http://127.0.0.1:" + closed + "/gone", false, List.of(), null));
        hook("/moved", false, List.of(), null);
        rx.answer(302);
        notifications.publish(Events.FAILED, "churn", Map.of("reason", "prod moved on"));
        assertThat(notifications.deliverDue()).isEqualTo(2);

        List<DeliveryView> all = notifications.deliveries(10);
        DeliveryView unreachable = all.stream().filter(d -> d.url().endsWith("/gone")).findFirst().orElseThrow();
        assertThat(unreachable.state()).isEqualTo("PENDING");
        assertThat(unreachable.attempts()).singleElement().satisfies(a -> {
            assertThat(a.status()).isNull();
            assertThat(a.error()).startsWith("cannot connect");
        });
        DeliveryView moved = all.stream().filter(d -> d.url().endsWith("/moved")).findFirst().orElseThrow();
        assertThat(moved.state()).isEqualTo("PENDING");
        assertThat(moved.lastStatus()).isEqualTo(302);
        assertThat(moved.lastError()).isEqualTo("redirects are not followed");
        assertThat(rx.taken()).extracting(Receiver.Post::path).containsExactly("/moved");
    }

    @Test
    void hooks_get_only_the_events_and_the_repo_they_subscribed_to() throws Exception {
        hook("/all", false, List.of(), null);
        hook("/gates", false, List.of(Events.GATES_FAILED), null);
        hook("/churn", false, null, "churn");
        hook("/other-promoted", false, List.of(Events.PROMOTED, Events.PROMOTED), "other");

        notifications.publish(Events.GATES_FAILED, "churn", Map.of());
        notifications.publish(Events.PROMOTED, "other", Map.of());
        notifications.publish(Events.PRODUCTION_BUILD_FAILED, "other", Map.of());
        notifications.publish(Events.AWAITING_APPROVAL, null, Map.of());
        notifications.publish(Events.PROMOTED, "churn", Map.of());
        assertThat(notifications.deliverDue()).isEqualTo(9);

        List<String> got = rx.taken().stream().map(p -> {
            JsonNode b = readTree(p.body());
            return p.path() + " " + b.path("event").asText() + " " + b.path("repo").asText();
        }).toList();
        assertThat(got).containsExactlyInAnyOrder(
                "/all promotion.gates_failed churn", "/gates promotion.gates_failed churn", "/churn promotion.gates_failed churn",
                "/all promotion.promoted other", "/other-promoted promotion.promoted other",
                "/all production.build_failed other",
                "/all promotion.awaiting_approval null",
                "/all promotion.promoted churn", "/churn promotion.promoted churn");
    }

    private static JsonNode readTree(byte[] body) {
        try {
            return Json.MAPPER.readTree(body);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void a_slack_hook_gets_a_readable_line_and_the_same_fields_signed_alike() throws Exception {
        NotificationView added = hook("/slack", true, List.of(), null);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("promotion", 7);
        data.put("gate", "accuracy >= 0.80");
        data.put("comment", "<!here> & co");
        data.put("gates", List.of("a", "b"));
        notifications.publish(Events.GATES_FAILED, "churn", data);
        notifications.deliverDue();

        Receiver.Post post = rx.taken().get(0);
        assertThat(post.header("X-Kiln-Signature")).isEqualTo(signature(added.secret(), post.body()));
        JsonNode body = Json.MAPPER.readTree(post.body());
        // Slack's escapes: the comment cannot become an @here mention or a link.
        assertThat(body.path("text").asText())
                .isEqualTo("Kiln: promotion gates failed in churn (promotion=7, gate=accuracy &gt;= 0.80, comment=&lt;!here&gt; &amp; co)");
        assertThat(body.path("kiln").path("event").asText()).isEqualTo("promotion.gates_failed");
        assertThat(body.path("kiln").path("repo").asText()).isEqualTo("churn");
        assertThat(body.path("kiln").path("data").path("comment").asText()).isEqualTo("<!here> & co");
        assertThat(body.path("kiln").path("delivery").asLong()).isEqualTo(only().id());
    }

    @Test
    void a_pending_delivery_resumes_after_a_restart() throws Exception {
        NotificationView added = hook("/hook", false, List.of(), "churn");
        rx.answer(500);
        notifications.publish(Events.AWAITING_APPROVAL, "churn", Map.of("promotion", 1));
        assertThat(notifications.deliverDue()).isEqualTo(1);
        notifications.publish(Events.EXPIRED, "churn", Map.of("promotion", 0));   // owed, never attempted
        String first = rx.taken().get(0).text();
        notifications.close();
        db.close();

        clock.set(T0 + 10_000);
        notifications = open(dir).start();
        // The new run's sender thread sends both by itself: the one due again and the one never tried.
        List<Receiver.Post> resent = List.of(rx.next(), rx.next());
        assertThat(resent).extracting(Receiver.Post::text).contains(first);
        assertThat(resent).extracting(p -> p.header("X-Kiln-Event"))
                .containsExactlyInAnyOrder("promotion.awaiting_approval", "promotion.expired");
        for (Receiver.Post p : resent) {
            assertThat(p.header("X-Kiln-Signature")).isEqualTo(signature(added.secret(), p.body()));
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(notifications.deliveries(10))
                .extracting(DeliveryView::state).containsOnly("DELIVERED"));
        assertThat(notifications.deliveries(10)).extracting(d -> d.attempts().size()).containsExactlyInAnyOrder(2, 1);
    }

    @Test
    void a_hook_that_is_not_http_or_names_what_does_not_exist_is_refused_and_not_kept() {
        for (String url : List.of("ftp://example.com/x", "file:///etc/passwd", "javascript:alert(1)", "hooks.example.com/kiln",
                "gopher://127.0.0.1:70/")) {
            assertThatThrownBy(() -> notifications.add(new NotificationRequest(url, false, List.of(), null))).as(url)
                    .isInstanceOfSatisfying(Refusal.class, r -> assertThat(r.status()).isEqualTo(400))
                    .hasMessageContaining("url must be http:// or https://");
        }
        assertThatThrownBy(() -> notifications.add(new NotificationRequest("http://ci:pw@example.com/", false, List.of(), null)))
                .hasMessageContaining("must not carry a user name or password");
        assertThatThrownBy(() -> notifications.add(new NotificationRequest("", false, List.of(), null)))
                .hasMessageContaining("url is required");
        assertThatThrownBy(() -> notifications.add(new NotificationRequest(rx.url("/x"), false, List.of("promotion.done"), null)))
                .hasMessageContaining("unknown event promotion.done; events are promotion.awaiting_approval");
        assertThatThrownBy(() -> notifications.add(new NotificationRequest(rx.url("/x"), false, List.of(), "nope")))
                .hasMessageContaining("no repo nope");
        assertThat(notifications.list()).isEmpty();
    }

    @Test
    void publish_never_throws_into_the_promotion_that_calls_it_and_records_only_what_it_can() throws Exception {
        hook("/hook", false, List.of(), null);
        notifications.publish("promotion.done", "churn", Map.of());
        notifications.publish(Events.PROMOTED, "churn", Map.of("what", new Object()));   // Jackson cannot write it
        assertThat(notifications.deliveries(10)).isEmpty();
        notifications.publish(Events.SUPERSEDED, "churn", null);
        assertThat(notifications.deliverDue()).isEqualTo(1);
        assertThat(Json.MAPPER.readTree(rx.taken().get(0).body()).path("data").isObject()).isTrue();
    }

    @Test
    void removing_a_hook_ends_what_it_was_still_owed() throws Exception {
        NotificationView added = hook("/hook", false, List.of(), null);
        rx.answer(500);
        notifications.publish(Events.REJECTED, "churn", Map.of());
        assertThat(notifications.deliverDue()).isEqualTo(1);
        notifications.remove(Long.toString(added.id()));

        assertThat(notifications.list()).isEmpty();
        assertThat(only().state()).isEqualTo("GAVE_UP");
        assertThat(only().lastError()).isEqualTo("the hook was removed");
        assertThat(at(T0 + Duration.ofHours(2).toMillis())).isZero();
        assertThat(rx.taken()).hasSize(1);
        assertThatThrownBy(() -> notifications.remove(Long.toString(added.id())))
                .isInstanceOfSatisfying(Refusal.class, r -> assertThat(r.status()).isEqualTo(404));
    }
}
