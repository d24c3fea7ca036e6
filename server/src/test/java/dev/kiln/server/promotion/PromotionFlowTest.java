package dev.kiln.server.promotion;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.kiln.server.access.AuditLog;
import dev.kiln.server.support.GitCli;
import dev.kiln.server.support.PromotionRepo;
import dev.kiln.server.support.RawHttp;
import dev.kiln.server.support.TestServer;
import dev.kiln.spec.api.BuildView;
import dev.kiln.spec.api.DecisionRequest;
import dev.kiln.spec.api.ModelVersionView;
import dev.kiln.spec.api.PolicyRequest;
import dev.kiln.spec.api.PromotionView;
import dev.kiln.spec.json.Json;
import dev.kiln.spec.protocol.Status;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The promotion flow over a real hosted repo, real pushes and real builds: a green dev build opens a
 * promotion, gates are checked against production, approvers decide over the API, the server
 * fast-forwards prod (checked with git), prod's build makes a registry version, and every change
 * lands in the audit log.
 */
class PromotionFlowTest {
    static final String CONFIG = """
            steps:
              - id: evaluate
                args: [sh, -c, 'echo "::metric accuracy=$(cat acc.txt)"; cp acc.txt model.pkl']
                artifacts: [model.pkl]
            """;

    @TempDir Path tmp;
    PromotionRepo repo;
    TestServer kiln;
    GitCli git;
    Path work;
    final Map<String, String> tokens = new java.util.HashMap<>();

    @BeforeEach
    void start() throws Exception {
        repo = PromotionRepo.start(tmp);
        kiln = repo.kiln;
        git = repo.git;
        work = repo.work;
        tokens.putAll(repo.tokens);
    }

    @AfterEach
    void stop() {
        if (kiln != null) {
            kiln.close();
        }
    }

    private RawHttp.Response call(String user, String method, String path, Object body) throws Exception {
        Map<String, String> h = new java.util.HashMap<>(Map.of("Authorization", "Bearer " + tokens.get(user)));
        byte[] bytes = new byte[0];
        if (body != null) {
            h.put("Content-Type", "application/json");
            bytes = Json.write(body).getBytes(StandardCharsets.UTF_8);
        }
        return RawHttp.send(kiln.server.port(), method, path, h, bytes);
    }

    private <T> T ok(RawHttp.Response r, TypeReference<T> type) {
        assertThat(r.status()).as(r.body()).isBetween(200, 299);
        return Json.read(r.body(), type);
    }

    private void policy(PolicyRequest p) throws Exception {
        ok(call("admin", "PUT", "/api/repos/churn/policy", p), new TypeReference<Map<String, Object>>() {});
    }

    /** Commits {@code accuracy} to dev, pushes it, waits for its build and for what it opened; returns the commit. */
    private String pushDev(String accuracy) throws Exception {
        String sha = git.commit(work, "accuracy " + accuracy, Map.of("build.yaml", CONFIG, "acc.txt", accuracy + "\n"));
        git.run(work, "push", "-q", "kiln", "dev");
        BuildView b = awaitBuild("dev", sha);
        assertThat(b.status()).isEqualTo(Status.SUCCESS);
        assertThat(kiln.server.promotions().awaitHandled(b.id(), Duration.ofSeconds(30))).isTrue();
        return sha;
    }

    private BuildView awaitBuild(String branch, String sha) {
        return repo.awaitBuild(branch, sha);
    }

    private PromotionView newest() throws Exception {
        return ok(call("dana", "GET", "/api/promotions?repo=churn&limit=1", null),
                new TypeReference<List<PromotionView>>() {}).get(0);
    }

    private PromotionView get(String id) throws Exception {
        return ok(call("dana", "GET", "/api/promotions/" + id, null), new TypeReference<PromotionView>() {});
    }

    private static DecisionRequest shown(PromotionView p, String comment) {
        return new DecisionRequest(comment, p.commit(), p.metricsDigest(), p.artifactsDigest());
    }

    private RawHttp.Response approve(String user, PromotionView p) throws Exception {
        return call(user, "POST", "/api/promotions/" + p.id() + "/approve", shown(p, "looks good"));
    }

    private String prodHead() throws Exception {
        String out = git.run(work, "ls-remote", "kiln", "refs/heads/prod").strip();
        return out.isEmpty() ? null : out.split("\\s+")[0];
    }

    /** Approves {@code p} as alice and waits for prod's build and the promotion's end. */
    private PromotionView approveAndShip(PromotionView p) throws Exception {
        RawHttp.Response r = approve("alice", p);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(prodHead()).isEqualTo(p.commit());
        return afterProdBuild(p);
    }

    /** Waits for the production build of {@code p}'s commit and for the flow to have seen its end. */
    private PromotionView afterProdBuild(PromotionView p) throws Exception {
        BuildView prod = awaitBuild("prod", p.commit());
        assertThat(prod.status()).isEqualTo(Status.SUCCESS);
        assertThat(kiln.server.promotions().awaitHandled(prod.id(), Duration.ofSeconds(30))).isTrue();
        return get(p.id());
    }

    private List<String> audit(String action) {
        return kiln.server.audit().list(100, null, action).stream().map(AuditLog.Entry::target).toList();
    }

    @Test
    void a_green_dev_build_is_gated_approved_moved_to_prod_built_and_registered() throws Exception {
        policy(new PolicyRequest("dev", "prod", true, 1, null, false, "7d",
                List.of("accuracy >= 0.80", "accuracy >= production - 0.01")));
        String first = pushDev("0.90");
        PromotionView p = newest();
        assertThat(p.state()).isEqualTo("AWAITING_APPROVAL");
        assertThat(p.commit()).isEqualTo(first);
        assertThat(p.metrics()).containsEntry("accuracy", 0.90);
        assertThat(p.artifacts()).singleElement().satisfies(a -> assertThat(a.path()).isEqualTo("model.pkl"));
        assertThat(p.productionVersion()).isNull();
        assertThat(p.detail()).contains("first promotion");
        assertThat(p.gates()).extracting(g -> g.gate() + " " + g.verdict())
                .containsExactly("accuracy >= 0.80 PASS", "accuracy >= production - 0.01 NOT_APPLICABLE");
        assertThat(prodHead()).isNull();

        RawHttp.Response dev = approve("dana", p);
        assertThat(dev.status()).isEqualTo(403);
        assertThat(dev.body()).contains("this needs the approver role; dana has developer");

        PromotionView done = approveAndShip(p);
        assertThat(done.state()).isEqualTo("PROMOTED");
        assertThat(done.modelVersion()).isEqualTo(1);
        assertThat(done.decisions()).singleElement().satisfies(d -> {
            assertThat(d.user()).isEqualTo("alice");
            assertThat(d.comment()).isEqualTo("looks good");
        });
        ModelVersionView v1 = ok(call("dana", "GET", "/api/models/churn/versions/production", null),
                new TypeReference<ModelVersionView>() {});
        assertThat(v1.version()).isEqualTo(1);
        assertThat(v1.commit()).isEqualTo(first);
        assertThat(v1.metrics()).containsEntry("accuracy", 0.90);
        assertThat(v1.prodBuild()).isEqualTo(done.prodBuild()).isNotNull();
        assertThat(v1.decisions()).extracting(d -> d.user()).containsExactly("alice");

        // Worse than production by more than the margin: stopped by the gate, prod stays.
        String worse = pushDev("0.85");
        PromotionView stopped = newest();
        assertThat(stopped.commit()).isEqualTo(worse);
        assertThat(stopped.state()).isEqualTo("GATES_FAILED");
        assertThat(stopped.productionVersion()).isEqualTo(1);
        assertThat(stopped.detail()).contains("'accuracy >= production - 0.01': accuracy is 0.85, not >= 0.89");
        assertThat(stopped.gates().get(1).productionValue()).isEqualTo(0.90);
        assertThat(stopped.gates().get(1).kind()).isEqualTo("AGAINST_PRODUCTION");
        assertThat(approve("alice", stopped).status()).isEqualTo(409);
        assertThat(prodHead()).isEqualTo(first);

        assertThat(audit("promotion.open")).hasSize(2);
        assertThat(audit("promotion.approve")).containsExactly(p.id());
        assertThat(audit("promotion.move")).containsExactly(p.id());
        assertThat(audit("promotion.promoted")).containsExactly(p.id());
        assertThat(audit("policy.set")).containsExactly("churn");

        // A build finds the promotions it measured or released (the build page's banner), and no other.
        Promotions flow = kiln.server.promotions().promotions();
        assertThat(flow.forBuild(p.build())).extracting(Promotion::id).containsExactly(p.id());
        assertThat(flow.forBuild(done.prodBuild())).extracting(Promotion::id).containsExactly(p.id());
        assertThat(flow.forBuild(stopped.build())).extracting(Promotion::id).containsExactly(stopped.id());
        assertThat(flow.forBuild("no-such-build")).isEmpty();
    }

    @Test
    void prod_is_protected_a_newer_build_supersedes_and_a_rejection_ends_it() throws Exception {
        policy(new PolicyRequest("dev", "prod", true, 1, null, false, null, List.of("accuracy >= 0.5")));
        String first = pushDev("0.90");
        PromotionView older = newest();
        GitCli.Result direct = git.attempt(work, "push", "kiln", "dev:prod");
        assertThat(direct.exit()).isNotZero();
        assertThat(direct.output()).contains("branch prod is protected");

        pushDev("0.91");
        PromotionView newer = newest();
        assertThat(get(older.id()).state()).isEqualTo("SUPERSEDED");
        assertThat(get(older.id()).detail()).contains("superseded by promotion " + newer.id());
        assertThat(approve("alice", get(older.id())).status()).isEqualTo(409);

        RawHttp.Response r = call("bob", "POST", "/api/promotions/" + newer.id() + "/reject",
                new DecisionRequest("drift on tenure", null, null, null));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        PromotionView rejected = get(newer.id());
        assertThat(rejected.state()).isEqualTo("REJECTED");
        assertThat(rejected.detail()).isEqualTo("rejected by bob: drift on tenure");
        assertThat(approve("alice", rejected).status()).isEqualTo(409);
        assertThat(prodHead()).isNull();
        assertThat(first).isNotNull();
        assertThat(audit("promotion.supersede")).containsExactly(older.id());
        assertThat(audit("promotion.reject")).containsExactly(newer.id());
    }

    @Test
    void an_approval_is_bound_to_what_was_shown_and_self_approval_can_be_prevented() throws Exception {
        policy(new PolicyRequest("dev", "prod", true, 1, null, true, null, List.of()));
        git.env("GIT_AUTHOR_NAME", "Alice Liddell").env("GIT_AUTHOR_EMAIL", "alice@example.com");
        pushDev("0.90");
        PromotionView p = newest();
        assertThat(p.submitter()).isEqualTo("dana");
        RawHttp.Response self = approve("alice", p);
        assertThat(self.status()).isEqualTo(403);
        assertThat(self.body()).contains("alice wrote commit").contains("prevents self-approval");

        RawHttp.Response stale = call("bob", "POST", "/api/promotions/" + p.id() + "/approve",
                new DecisionRequest("ok", p.commit(), "0".repeat(64), p.artifactsDigest()));
        assertThat(stale.status()).isEqualTo(409);
        assertThat(stale.body()).contains("the metrics changed since you were shown");
        RawHttp.Response unnamed = call("bob", "POST", "/api/promotions/" + p.id() + "/approve",
                new DecisionRequest("ok", null, null, null));
        assertThat(unnamed.status()).isEqualTo(400);
        assertThat(get(p.id()).state()).isEqualTo("AWAITING_APPROVAL");
        assertThat(prodHead()).isNull();
        assertThat(approveAs("bob", p).state()).isEqualTo("PROMOTED");
    }

    private PromotionView approveAs(String user, PromotionView p) throws Exception {
        RawHttp.Response r = approve(user, p);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return afterProdBuild(p);
    }

    @Test
    void two_approvers_at_once_make_one_push() throws Exception {
        policy(new PolicyRequest("dev", "prod", true, 1, null, false, null, List.of()));
        pushDev("0.90");
        PromotionView p = newest();
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<RawHttp.Response> a = pool.submit(() -> { go.await(); return approve("alice", p); });
            Future<RawHttp.Response> b = pool.submit(() -> { go.await(); return approve("bob", p); });
            go.countDown();
            List<Integer> statuses = List.of(a.get().status(), b.get().status());
            assertThat(statuses).containsExactlyInAnyOrder(200, 409);
        } finally {
            pool.shutdownNow();
        }
        assertThat(prodHead()).isEqualTo(p.commit());
        assertThat(afterProdBuild(p).state()).isEqualTo("PROMOTED");
        assertThat(audit("promotion.move")).containsExactly(p.id());
        assertThat(kiln.api.list(20, "churn", "prod", null, null)).hasSize(1);
    }

    @Test
    void prod_moved_elsewhere_fails_the_promotion_instead_of_forcing_it() throws Exception {
        policy(new PolicyRequest("dev", "prod", true, 1, null, false, null, List.of()));
        pushDev("0.90");
        PromotionView p = newest();
        // prod moves on to a commit the candidate does not descend from (by the server's own hand, as an old release).
        String orphan = git.run(work, "commit-tree", "HEAD^{tree}", "-m", "hotfix on prod").strip();
        git.run(work, "push", "-q", "kiln", orphan + ":refs/heads/hotfix");
        kiln.server.serverUpdates().move("churn", "prod", dev.kiln.server.git.RefUpdate.ZERO, orphan,
                dev.kiln.server.store.Provenance.Cause.MANUAL);
        RawHttp.Response r = approve("alice", p);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        PromotionView failed = get(p.id());
        assertThat(failed.state()).isEqualTo("FAILED");
        assertThat(failed.detail()).contains("does not descend from").contains("never force-pushes");
        assertThat(prodHead()).isEqualTo(orphan);
        assertThat(audit("promotion.fail")).containsExactly(p.id());
    }

    @Test
    void a_rollback_is_a_promotion_of_an_earlier_version_through_the_same_approval() throws Exception {
        policy(new PolicyRequest("dev", "prod", true, 1, null, false, null, List.of("accuracy >= 0.5")));
        String one = pushDev("0.90");
        assertThat(approveAndShip(newest()).state()).isEqualTo("PROMOTED");
        String two = pushDev("0.92");
        assertThat(approveAndShip(newest()).state()).isEqualTo("PROMOTED");
        assertThat(prodHead()).isEqualTo(two);

        RawHttp.Response byDev = call("dana", "POST", "/api/models/churn/rollback", Map.of("to", 1));
        assertThat(byDev.status()).isEqualTo(403);
        RawHttp.Response asked = call("bob", "POST", "/api/models/churn/rollback", Map.of("to", 1, "comment", "v2 drifts"));
        assertThat(asked.status()).as(asked.body()).isEqualTo(201);
        PromotionView rb = Json.read(asked.body(), new TypeReference<PromotionView>() {});
        assertThat(rb.kind()).isEqualTo("ROLLBACK");
        assertThat(rb.rollbackTo()).isEqualTo(1);
        assertThat(rb.commit()).isEqualTo(one);
        assertThat(rb.state()).isEqualTo("AWAITING_APPROVAL");
        assertThat(prodHead()).isEqualTo(two);

        PromotionView done = approveAndShip(rb);
        assertThat(done.state()).isEqualTo("PROMOTED");
        List<ModelVersionView> history = ok(call("dana", "GET", "/api/models/churn", null),
                new TypeReference<List<ModelVersionView>>() {});
        assertThat(history).extracting(ModelVersionView::version, ModelVersionView::commit, ModelVersionView::production,
                ModelVersionView::rollbackOf).containsExactly(
                org.assertj.core.groups.Tuple.tuple(3, one, true, 1),
                org.assertj.core.groups.Tuple.tuple(2, two, false, null),
                org.assertj.core.groups.Tuple.tuple(1, one, false, null));
        assertThat(history.get(1).leftTime()).isEqualTo(history.get(0).enteredTime());
        assertThat(audit("promotion.rollback")).containsExactly(rb.id());
    }

    @Test
    void a_build_adds_its_own_gates_and_scores_production_in_the_same_build() throws Exception {
        policy(new PolicyRequest("dev", "prod", true, 1, null, false, null, List.of("accuracy >= 0.5")));
        pushDev("0.90");
        assertThat(approveAndShip(newest()).state()).isEqualTo("PROMOTED");
        // The candidate fetches production's model and scores it on the same data: here, its accuracy file.
        String sameBuild = """
                steps:
                  - name: kiln/production-artifacts
                  - id: evaluate
                    args: [sh, -c, 'echo "::metric accuracy=$(cat acc.txt)"; echo "::metric production_accuracy=$(cat production/model.pkl)"; cp acc.txt model.pkl']
                    artifacts: [model.pkl]
                gates:
                  - accuracy >= production_accuracy
                """;
        String sha = git.commit(work, "worse than production", Map.of("build.yaml", sameBuild, "acc.txt", "0.88\n"));
        git.run(work, "push", "-q", "kiln", "dev");
        BuildView b = awaitBuild("dev", sha);
        assertThat(b.status()).isEqualTo(Status.SUCCESS);
        assertThat(kiln.server.promotions().awaitHandled(b.id(), Duration.ofSeconds(30))).isTrue();
        assertThat(kiln.logText(b.id(), 0)).contains("fetched 1 artifact").contains("churn production v1");
        PromotionView p = newest();
        assertThat(p.commit()).isEqualTo(sha);
        assertThat(p.metrics()).containsEntry("production_accuracy", 0.90);
        assertThat(p.state()).isEqualTo("GATES_FAILED");
        assertThat(p.gates()).extracting(g -> g.gate() + " " + g.source() + " " + g.kind() + " " + g.verdict())
                .containsExactly("accuracy >= 0.5 policy ABSOLUTE PASS",
                        "accuracy >= production_accuracy build SAME_BUILD FAIL");
        assertThat(p.detail()).contains("accuracy is 0.88, not >= 0.9");
    }
}
