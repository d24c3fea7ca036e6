package dev.kiln.server.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.server.git.RefUpdate;
import dev.kiln.server.support.RawHttp;
import dev.kiln.spec.api.BuildView;
import dev.kiln.spec.api.RepoView;
import dev.kiln.spec.api.TriggerView;
import dev.kiln.spec.protocol.Status;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Webhooks from a forge on loopback (a bare repo over smart HTTP whose post-receive hook sends a
 * GitHub push webhook, signed, with curl): what a delivery builds, and every way one is refused.
 */
class WebhookTest {
    @TempDir Path tmp;
    Forges f;

    @BeforeEach
    void start() throws Exception {
        // Polling every hour: within a test only webhooks fetch.
        f = new Forges(tmp, "1h");
        f.kiln.api.createTrigger(new TriggerView("dev-push", "churn", "^dev$", null, false, null, List.of(), List.of(),
                Map.of(), true, null));
    }

    @AfterEach
    void stop() throws Exception {
        if (f != null) {
            f.close();
        }
    }

    @Test
    void a_post_receive_webhook_builds_exactly_the_pushed_commit_to_success() throws Exception {
        f.installPostReceiveHook();
        String sha = f.commit("rows=100");

        String out = f.push("dev");

        assertThat(out).contains("webhook 200");
        List<BuildView> builds = f.builds();
        assertThat(builds).hasSize(1);
        BuildView b = f.kiln.awaitEnd(builds.get(0).id(), Duration.ofSeconds(60));
        String log = f.kiln.logText(b.id(), 0);
        assertThat(b.status()).as(log).isEqualTo(Status.SUCCESS);
        assertThat(b).extracting(BuildView::repo, BuildView::ref, BuildView::commitSha, BuildView::trigger, BuildView::cause)
                .containsExactly("churn", "refs/heads/dev", sha, "dev-push", "webhook");
        assertThat(log).contains("sha=" + sha + " ref=dev").contains("rows=100");
        RepoView repo = f.kiln.api.repo("churn");
        assertThat(repo.webhookUrl()).isEqualTo(f.kiln.server.url() + "/hooks/churn");
        assertThat(repo.webhookSecret()).isTrue();
        assertThat(repo.toString()).doesNotContain(Forges.SECRET);
    }

    @Test
    void wrong_missing_and_truncated_signatures_are_refused_and_start_nothing() throws Exception {
        String sha = f.commit("x");
        f.pushQuietly("dev");
        String body = Forges.pushBody("refs/heads/dev", sha);
        String good = Signatures.header(Forges.SECRET.getBytes(StandardCharsets.UTF_8), body.getBytes(StandardCharsets.UTF_8));
        String other = Signatures.header("another-secret".getBytes(StandardCharsets.UTF_8), body.getBytes(StandardCharsets.UTF_8));
        List<Map<String, String>> bad = List.of(
                Map.of("X-GitHub-Event", "push"),
                Map.of("X-GitHub-Event", "push", "X-Hub-Signature-256", other),
                Map.of("X-GitHub-Event", "push", "X-Hub-Signature-256", good.substring(0, good.length() - 2)),
                Map.of("X-GitHub-Event", "push", "X-Hub-Signature-256", good.substring(7)),
                Map.of("X-GitHub-Event", "push", "X-Hub-Signature-256", "sha256=zz" + good.substring(9)),
                Map.of("X-Gitlab-Event", "Push Hook", "X-Gitlab-Token", Forges.SECRET + "x"),
                Map.of("X-Gitlab-Event", "Push Hook"),
                Map.of("X-Gitea-Event", "push", "X-Gitea-Signature", other.substring(7)),
                Map.of("X-Kiln-Signature-256", other),
                Map.of());
        for (Map<String, String> headers : bad) {
            RawHttp.Response r = f.send("churn", headers, body);
            assertThat(r.status()).as(headers.toString()).isEqualTo(401);
            assertThat(r.body()).doesNotContain(Forges.SECRET);
        }
        // The right signature on another body (a payload replayed with a changed ref) is wrong too.
        assertThat(f.send("churn", Map.of("X-GitHub-Event", "push", "X-Hub-Signature-256", good),
                Forges.pushBody("refs/heads/main", sha)).status()).isEqualTo(401);
        assertThat(f.builds()).isEmpty();
        assertThat(f.kiln.api.repo("churn").heads()).doesNotContainEntry("refs/heads/dev", sha);   // not even fetched

        assertThat(f.send("churn", Map.of("X-Kiln-Signature-256", good), body).status()).isEqualTo(200);
        assertThat(f.builds()).extracting(BuildView::commitSha).containsExactly(sha);
    }

    @Test
    void gitlab_gitea_and_generic_pushes_are_accepted_with_their_own_signatures() throws Exception {
        String one = f.commit("one");
        f.pushQuietly("dev");
        assertThat(f.gitlab("Push Hook", Forges.pushBody("refs/heads/dev", one)).status()).isEqualTo(200);
        String two = f.commit("two");
        f.pushQuietly("dev");
        assertThat(f.gitea("push", Forges.pushBody("refs/heads/dev", two)).status()).isEqualTo(200);
        String three = f.commit("three");
        f.pushQuietly("dev");
        String generic = "{\"ref\":\"dev\"}";
        assertThat(f.send("churn", Map.of("X-Kiln-Signature-256", Signatures.header(
                Forges.SECRET.getBytes(StandardCharsets.UTF_8), generic.getBytes(StandardCharsets.UTF_8))), generic).status())
                .isEqualTo(200);
        assertThat(f.builds()).extracting(BuildView::commitSha).containsExactly(three, two, one);
    }

    @Test
    void the_same_delivery_twice_builds_once() throws Exception {
        String sha = f.commit("x");
        f.pushQuietly("dev");
        String body = Forges.pushBody("refs/heads/dev", sha);
        RawHttp.Response first = f.github("push", body);
        RawHttp.Response again = f.github("push", body);
        assertThat(first.status()).isEqualTo(200);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.body()).contains("fetched already");
        assertThat(f.builds()).extracting(BuildView::commitSha).containsExactly(sha);
    }

    @Test
    void a_payload_naming_a_sha_not_on_the_branch_builds_the_real_head_and_says_so() throws Exception {
        String real = f.commit("real");
        f.pushQuietly("dev");
        String claimed = "1234567890abcdef1234567890abcdef12345678";
        RawHttp.Response r = f.github("push", Forges.pushBody("refs/heads/dev", claimed));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).contains("payload named " + claimed + ", branch is at " + real + "; building " + real);
        assertThat(f.builds()).extracting(BuildView::commitSha).containsExactly(real);
    }

    @Test
    void a_force_push_that_rewinds_the_branch_builds_the_new_head() throws Exception {
        f.installPostReceiveHook();
        String first = f.commit("one");
        f.push("dev");
        f.commit("two");
        f.push("dev");
        f.git.run(f.work, "reset", "-q", "--hard", first);
        String third = f.commit("three");
        f.push("dev");
        List<BuildView> builds = f.builds();
        assertThat(builds).hasSize(3);
        assertThat(builds.get(0).commitSha()).isEqualTo(third);
        BuildView b = f.kiln.awaitEnd(builds.get(0).id(), Duration.ofSeconds(60));
        assertThat(b.status()).isEqualTo(Status.SUCCESS);
        assertThat(f.kiln.logText(b.id(), 0)).contains("sha=" + third).contains("three");
    }

    @Test
    void a_delivery_fetches_the_branch_it_names_and_a_deleted_branch_is_mirrored_as_deleted() throws Exception {
        f.kiln.api.createTrigger(new TriggerView("any-push", "churn", ".*", null, false, null, List.of(), List.of(),
                Map.of(), true, null));
        String dev = f.commit("dev");
        f.pushQuietly("dev", "dev:feature");

        RawHttp.Response r = f.github("push", Forges.pushBody("refs/heads/dev", dev));

        assertThat(r.status()).isEqualTo(200);
        // Only dev was asked for: feature, which no delivery named yet, is neither mirrored nor built.
        assertThat(f.kiln.api.repo("churn").heads()).containsEntry("refs/heads/dev", dev).doesNotContainKey("refs/heads/feature");
        assertThat(f.builds()).extracting(BuildView::ref).containsOnly("refs/heads/dev");

        f.pushQuietly(":feature");
        f.pushQuietly(":dev");
        RawHttp.Response gone = f.github("push", Forges.pushBody("refs/heads/dev", RefUpdate.ZERO));

        assertThat(gone.status()).isEqualTo(200);
        assertThat(gone.body()).contains("refs/heads/dev is not on the remote");
        assertThat(f.kiln.api.repo("churn").heads()).doesNotContainKeys("refs/heads/dev", "refs/heads/feature")
                .containsKey("refs/heads/main");
        assertThat(f.builds()).extracting(BuildView::ref).containsOnly("refs/heads/dev");
    }

    @Test
    void a_ping_an_unknown_repo_a_malformed_a_deep_and_a_huge_body_are_told_apart() throws Exception {
        RawHttp.Response ping = f.github("ping", "{\"zen\":\"Keep it logically awesome.\",\"hook_id\":1}");
        assertThat(ping.status()).isEqualTo(200);
        assertThat(ping.body()).contains("pong");
        assertThat(f.send("nope", Map.of("X-GitHub-Event", "push"), "{}").status()).isEqualTo(404);
        assertThat(f.github("push", "{\"ref\":").status()).isEqualTo(400);
        assertThat(f.github("push", "[1,2]").status()).isEqualTo(400);
        assertThat(f.github("push", "{\"after\":\"x\"}").body()).contains("no text 'ref'");
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        RawHttp.Response d = f.github("push", "{\"ref\":\"refs/heads/dev\",\"x\":" + deep + "}");
        assertThat(d.status()).isEqualTo(400);
        assertThat(d.body()).contains("nests deeper than 64");

        byte[] huge = new byte[3 << 20];
        java.util.Arrays.fill(huge, (byte) ' ');
        assertThat(sendRaw(Map.of("Content-Length", String.valueOf(huge.length)), huge)).startsWith("HTTP/1.1 413");
        // No length given: the body is streamed, and cut off just past the limit.
        assertThat(sendRaw(Map.of("Transfer-Encoding", "chunked"), chunked(huge))).startsWith("HTTP/1.1 413");
        assertThat(f.builds()).isEmpty();
    }

    /** Sends a signed-looking GitHub push to /hooks/churn; the server may answer before the body is all sent. */
    private String sendRaw(Map<String, String> headers, byte[] body) throws Exception {
        StringBuilder head = new StringBuilder("POST /hooks/churn HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                + "Content-Type: application/json\r\nX-GitHub-Event: push\r\nX-Hub-Signature-256: sha256=00\r\n");
        headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        try (Socket s = new Socket("127.0.0.1", f.kiln.server.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
            try {
                out.write(body);
                out.flush();
            } catch (java.io.IOException refusedMidway) {
                // the server answered and closed before taking it all: what it said is still to be read
            }
            InputStream in = s.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            try {
                in.transferTo(got);
            } catch (java.io.IOException reset) {
                // a reset after the answer
            }
            return got.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private static byte[] chunked(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < body.length; i += 65536) {
            int n = Math.min(65536, body.length - i);
            out.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(body, i, n);
            out.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
        out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        return out.toByteArray();
    }
}
