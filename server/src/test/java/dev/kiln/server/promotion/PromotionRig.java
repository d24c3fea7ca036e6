package dev.kiln.server.promotion;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.kiln.server.KilnServer;
import dev.kiln.server.access.AuditLog;
import dev.kiln.server.access.Role;
import dev.kiln.server.support.GitCli;
import dev.kiln.server.support.RawHttp;
import dev.kiln.server.support.TestServer;
import dev.kiln.spec.api.BuildView;
import dev.kiln.spec.api.DecisionRequest;
import dev.kiln.spec.api.PolicyRequest;
import dev.kiln.spec.api.PromotionView;
import dev.kiln.spec.api.RepoRequest;
import dev.kiln.spec.api.TriggerView;
import dev.kiln.spec.json.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A server hosting repo {@code churn} with a trigger on dev and one on prod, users dana (developer),
 * alice and bob (approvers), and a work tree on dev whose pushes go to it as dana: what the
 * promotion tests other than {@link PromotionFlowTest} share.
 */
final class PromotionRig implements AutoCloseable {
    final TestServer kiln;
    final GitCli git;
    final Path work;
    private final Map<String, String> tokens = new HashMap<>();

    private PromotionRig(TestServer kiln, GitCli git, Path work) {
        this.kiln = kiln;
        this.git = git;
        this.work = work;
    }

    /**
     * With {@code clock} (null: the system's); with {@code env}, each trigger gives its builds
     * {@code _ENV=dev} or {@code _ENV=prod} (a config must then use it, or allow it unused).
     */
    static PromotionRig start(Path tmp, Clock clock, boolean env) throws Exception {
        KilnServer.Config config = KilnServer.Config.defaults(tmp.resolve("data")).withPort(0)
                .withLease(Duration.ofSeconds(3), Duration.ofMillis(500));
        TestServer kiln = clock == null ? TestServer.start(config) : TestServer.start(config, clock);
        try {
            kiln.api.createRepo(new RepoRequest("churn", null, null, null, null));
            for (String branch : List.of("dev", "prod")) {
                kiln.api.createTrigger(new TriggerView(branch + "-push", "churn", "^" + branch + "$", null, false, null,
                        List.of(), List.of(), env ? Map.of("_ENV", branch) : Map.of(), true, null, false, false, false, null, null));
            }
            GitCli git = GitCli.in(tmp);
            Path work = git.init(tmp.resolve("work"), "dev");
            PromotionRig rig = new PromotionRig(kiln, git, work);
            for (var u : Map.of("dana", Role.DEVELOPER, "alice", Role.APPROVER, "bob", Role.APPROVER).entrySet()) {
                kiln.server.users().add(u.getKey(), u.getValue(), "a-long-password-" + u.getKey());
                rig.tokens.put(u.getKey(), kiln.server.tokens().create(u.getKey(), "t", null, null));
            }
            rig.tokens.put("admin", kiln.server.adminToken());
            git.signIn(kiln.server.url(), "dana", rig.tokens.get("dana")).run(work, "remote", "add", "kiln",
                    kiln.server.url() + "/git/churn.git");
            return rig;
        } catch (Exception | Error e) {
            kiln.close();
            throw e;
        }
    }

    Promotions promotions() {
        return kiln.server.promotions().promotions();
    }

    RawHttp.Response call(String user, String method, String path, Object body) throws Exception {
        Map<String, String> h = new HashMap<>(Map.of("Authorization", "Bearer " + tokens.get(user)));
        byte[] bytes = new byte[0];
        if (body != null) {
            h.put("Content-Type", "application/json");
            bytes = Json.write(body).getBytes(StandardCharsets.UTF_8);
        }
        return RawHttp.send(kiln.server.port(), method, path, h, bytes);
    }

    static <T> T ok(RawHttp.Response r, TypeReference<T> type) {
        assertThat(r.status()).as(r.body()).isBetween(200, 299);
        return Json.read(r.body(), type);
    }

    void policy(PolicyRequest p) throws Exception {
        ok(call("admin", "PUT", "/api/repos/churn/policy", p), new TypeReference<Map<String, Object>>() {});
    }

    /** Commits {@code files} on dev, pushes, waits for the build of that commit and for the flow to have handled its end. */
    BuildView pushDev(String message, Map<String, String> files, Duration within) throws Exception {
        String sha = git.commit(work, message, files);
        git.run(work, "push", "-q", "kiln", "dev");
        return handled(awaitBuild("dev", sha, within));
    }

    /** {@code b}, once the promotion flow has handled its end (opened a promotion, ended one...). */
    BuildView handled(BuildView b) throws InterruptedException {
        assertThat(kiln.server.promotions().awaitHandled(b.id(), Duration.ofSeconds(30)))
                .as("the flow handled the end of build %s", b.id()).isTrue();
        return b;
    }

    BuildView awaitBuild(String branch, String sha, Duration within) {
        BuildView[] found = new BuildView[1];
        try {
            org.awaitility.Awaitility.await().atMost(within).pollInterval(Duration.ofMillis(50)).until(() -> {
                found[0] = kiln.api.list(20, "churn", branch, null, null).stream()
                        .filter(b -> sha.equals(b.commitSha())).findFirst().orElse(null);
                return found[0] != null && found[0].status().isFinal();
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("no end of the build of " + branch + " at " + sha + " within " + within + ": "
                    + (found[0] == null ? "no such build" : found[0].status() + " " + found[0].steps().stream()
                    .map(s -> s.id() + "=" + s.status()).toList()), e);
        }
        return found[0];
    }

    PromotionView newest() throws Exception {
        return ok(call("dana", "GET", "/api/promotions?repo=churn&limit=1", null),
                new TypeReference<List<PromotionView>>() {}).get(0);
    }

    PromotionView get(String id) throws Exception {
        return ok(call("dana", "GET", "/api/promotions/" + id, null), new TypeReference<PromotionView>() {});
    }

    RawHttp.Response approve(String user, PromotionView p) throws Exception {
        return call(user, "POST", "/api/promotions/" + p.id() + "/approve",
                new DecisionRequest("looks good", p.commit(), p.metricsDigest(), p.artifactsDigest()));
    }

    RawHttp.Response reject(String user, PromotionView p, String comment) throws Exception {
        return call(user, "POST", "/api/promotions/" + p.id() + "/reject", new DecisionRequest(comment, null, null, null));
    }

    String prodHead() throws Exception {
        String out = git.run(work, "ls-remote", "kiln", "refs/heads/prod").strip();
        return out.isEmpty() ? null : out.split("\\s+")[0];
    }

    /** The targets of the audit log's entries of {@code action}, newest first. */
    List<String> audit(String action) {
        return kiln.server.audit().list(100, null, action).stream().map(AuditLog.Entry::target).toList();
    }

    List<AuditLog.Entry> auditEntries(String action) {
        return kiln.server.audit().list(100, null, action);
    }

    @Override
    public void close() {
        kiln.close();
    }
}
