package dev.kiln.server.promotion;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.server.access.Principal;
import dev.kiln.server.access.Role;
import dev.kiln.server.support.GitCli;
import dev.kiln.server.support.TestServer;
import dev.kiln.spec.api.BuildView;
import dev.kiln.spec.api.DecisionRequest;
import dev.kiln.spec.api.PolicyRequest;
import dev.kiln.spec.api.RepoRequest;
import dev.kiln.spec.api.TriggerRun;
import dev.kiln.spec.api.TriggerView;
import dev.kiln.spec.protocol.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A promotion of a mirrored repo: the server pushes the target branch to the remote (a real bare
 * repo standing for the forge) from where the mirror saw it, fetches it back, and builds it; a remote
 * that moved meanwhile fails the promotion instead of being overwritten.
 */
class MirrorPromotionTest {
    static final Principal ALICE = new Principal("t", "alice", Role.APPROVER, Map.of());

    @TempDir Path tmp;
    TestServer kiln;
    GitCli git;
    Path origin;
    Path work;

    @BeforeEach
    void start() throws Exception {
        git = GitCli.in(tmp);
        origin = tmp.resolve("origin.git");
        git.run(tmp, "init", "-q", "--bare", origin.toString());
        work = git.init(tmp.resolve("work"), "dev");
        git.commit(work, "model", Map.of("build.yaml", PromotionFlowTest.CONFIG, "acc.txt", "0.9\n"));
        git.run(work, "push", "-q", origin.toString(), "dev");
        kiln = TestServer.start(tmp.resolve("data"));
        kiln.api.createRepo(new RepoRequest("churn", "file://" + origin, null, null, null));
        for (String branch : List.of("dev", "prod")) {
            kiln.api.createTrigger(new TriggerView(branch + "-push", "churn", "^" + branch + "$", null, false, null,
                    List.of(), List.of(), Map.of(), true, null));
        }
        kiln.server.promotions().setPolicy("churn", new PolicyRequest("dev", "prod", true, 1, null, false, null,
                List.of("accuracy >= 0.8")), "admin");
    }

    @AfterEach
    void stop() {
        if (kiln != null) {
            kiln.close();
        }
    }

    private Promotion awaitingFromDevBuild() throws Exception {
        BuildView b = kiln.api.runTrigger("dev-push", new TriggerRun("dev", null, null, Map.of()));
        assertThat(kiln.awaitEnd(b.id(), Duration.ofSeconds(60)).status()).isEqualTo(Status.SUCCESS);
        assertThat(kiln.server.promotions().awaitHandled(b.id(), Duration.ofSeconds(30))).isTrue();
        Promotion p = kiln.server.promotions().promotions().list("churn", null, 1).get(0);
        assertThat(p.state()).isEqualTo(Promotion.State.AWAITING_APPROVAL);
        return p;
    }

    private Promotion approve(Promotion p) {
        return kiln.server.promotions().promotions().approve(p.id(), ALICE,
                new DecisionRequest("ok", p.commitSha(), p.metricsDigest(), p.artifactsDigest()));
    }

    private String originProd() throws Exception {
        GitCli.Result r = git.attempt(tmp, "--git-dir", origin.toString(), "rev-parse", "--verify", "-q", "refs/heads/prod");
        return r.exit() == 0 ? r.output().strip() : null;
    }

    @Test
    void approval_pushes_prod_to_the_remote_and_builds_it() throws Exception {
        Promotion p = awaitingFromDevBuild();
        assertThat(approve(p).state()).isIn(Promotion.State.PROMOTING, Promotion.State.PROMOTED);
        assertThat(originProd()).isEqualTo(p.commitSha());
        BuildView prod = kiln.api.list(10, "churn", "prod", null, null).get(0);
        assertThat(prod.commitSha()).isEqualTo(p.commitSha());
        assertThat(prod.cause()).isEqualTo("promotion");
        assertThat(kiln.awaitEnd(prod.id(), Duration.ofSeconds(60)).status()).isEqualTo(Status.SUCCESS);
        assertThat(kiln.server.promotions().awaitHandled(prod.id(), Duration.ofSeconds(30))).isTrue();
        assertThat(kiln.server.promotions().promotions().get(p.id()).orElseThrow().state())
                .isEqualTo(Promotion.State.PROMOTED);
        assertThat(kiln.server.promotions().registry().current("churn").orElseThrow().prodBuild()).isEqualTo(prod.id());
    }

    @Test
    void a_remote_that_moved_since_the_last_fetch_is_not_overwritten() throws Exception {
        Promotion p = awaitingFromDevBuild();
        // Someone pushes prod on the forge; the mirror has not fetched it yet.
        String other = git.run(work, "commit-tree", "HEAD^{tree}", "-m", "pushed on the forge").strip();
        git.run(work, "push", "-q", origin.toString(), other + ":refs/heads/prod");
        Promotion failed = approve(p);
        assertThat(failed.state()).isEqualTo(Promotion.State.FAILED);
        assertThat(failed.detail()).contains("moved since the mirror last fetched it");
        assertThat(originProd()).isEqualTo(other);
        assertThat(kiln.api.list(10, "churn", "prod", null, null)).isEmpty();
    }
}
