package dev.kiln.server.promotion;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.server.store.Database;
import dev.kiln.server.support.PromotionRepo;
import dev.kiln.server.support.TestServer;
import dev.kiln.spec.api.BuildView;
import dev.kiln.spec.api.PolicyRequest;
import dev.kiln.spec.protocol.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stop between an approval and the move it causes: the approval's transaction committed (the
 * promotion is PROMOTING) but the process died before prod moved. The next start moves prod, builds
 * it and promotes, so that an approved promotion is never left half done.
 */
class PromotionResumeTest {
    @TempDir Path tmp;

    @Test
    void an_approval_cut_off_before_the_move_is_finished_at_the_next_start() throws Exception {
        PromotionRepo repo = PromotionRepo.start(tmp);
        Path data = repo.kiln.dataDir;
        Promotion p;
        try (TestServer kiln = repo.kiln) {
            kiln.server.promotions().setPolicy("churn", new PolicyRequest("dev", "prod", true, 1, null, false, null,
                    List.of("accuracy >= 0.5")), "admin");
            String sha = repo.git.commit(repo.work, "model", Map.of("build.yaml", PromotionFlowTest.CONFIG, "acc.txt", "0.9\n"));
            repo.git.run(repo.work, "push", "-q", "kiln", "dev");
            BuildView dev = repo.awaitBuild("dev", sha);
            assertThat(kiln.server.promotions().awaitHandled(dev.id(), Duration.ofSeconds(30))).isTrue();
            p = kiln.server.promotions().promotions().list("churn", null, 1).get(0);
            assertThat(p.state()).isEqualTo(Promotion.State.AWAITING_APPROVAL);
        }
        // What the approval's transaction leaves when the process dies right after it, before the move.
        try (Database db = Database.open(Database.h2Url(data), null, null)) {
            PromotionStore.Approved a = new PromotionStore(db).approve(p.id(), "alice", "ok", System.currentTimeMillis());
            assertThat(a.quorum()).isTrue();
            assertThat(a.promotion().state()).isEqualTo(Promotion.State.PROMOTING);
        }
        try (TestServer again = TestServer.start(data)) {
            BuildView prod = repo.awaitBuild(again, "prod", p.commitSha());
            assertThat(prod.status()).isEqualTo(Status.SUCCESS);
            assertThat(prod.cause()).isEqualTo("promotion");
            assertThat(again.api.repo("churn").heads()).containsEntry("refs/heads/prod", p.commitSha());
            assertThat(again.server.promotions().awaitHandled(prod.id(), Duration.ofSeconds(30))).isTrue();
            Promotion done = again.server.promotions().promotions().get(p.id()).orElseThrow();
            assertThat(done.state()).isEqualTo(Promotion.State.PROMOTED);
            assertThat(again.server.promotions().registry().current("churn").orElseThrow().prodBuild()).isEqualTo(prod.id());
            assertThat(again.server.audit().list(50, null, "promotion.move")).singleElement()
                    .satisfies(e -> assertThat(e.actor()).isEqualTo(Promotions.SERVER));
        }
    }
}
