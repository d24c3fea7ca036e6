package dev.kiln.server.promotion;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.server.access.AuditLog;
import dev.kiln.server.scheduler.MutableClock;
import dev.kiln.server.support.RawHttp;
import dev.kiln.spec.api.PolicyRequest;
import dev.kiln.spec.api.PromotionView;
import dev.kiln.spec.protocol.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A promotion nobody decides ends EXPIRED when its policy's {@code expires} has passed, on the
 * server's clock (moved by the test): by the sweep, or by the first decision that comes too late.
 */
class PromotionExpiryTest {
    static final String CONFIG = """
            steps:
              - id: evaluate
                args: [sh, -c, 'echo "::metric accuracy=$(cat acc.txt)"; cp acc.txt model.pkl']
                artifacts: [model.pkl]
            """;
    static final Duration EXPIRES = Duration.ofHours(2);

    @TempDir Path tmp;
    final MutableClock clock = new MutableClock(System.currentTimeMillis());
    PromotionRig rig;

    @BeforeEach
    void start() throws Exception {
        rig = PromotionRig.start(tmp, clock, false);
        rig.policy(new PolicyRequest("dev", "prod", true, 1, null, false, "2h", List.of("accuracy >= 0.5")));
    }

    @AfterEach
    void stop() {
        if (rig != null) {
            rig.close();
        }
    }

    private PromotionView awaiting() throws Exception {
        assertThat(rig.pushDev("model", Map.of("build.yaml", CONFIG, "acc.txt", "0.9\n"), Duration.ofSeconds(60)).status())
                .isEqualTo(Status.SUCCESS);
        PromotionView p = rig.newest();
        assertThat(p.state()).isEqualTo("AWAITING_APPROVAL");
        assertThat(p.expireTime() - p.createTime()).isEqualTo(EXPIRES.toMillis());
        return p;
    }

    @Test
    void a_promotion_nobody_decides_expires_when_its_time_is_up_and_an_approval_after_that_is_a_conflict() throws Exception {
        PromotionView p = awaiting();
        clock.set(p.expireTime() - 1);
        assertThat(rig.promotions().expireDue()).isZero();
        assertThat(rig.get(p.id()).state()).isEqualTo("AWAITING_APPROVAL");

        clock.set(p.expireTime());
        rig.promotions().expireDue();   // the minute's sweep may have got there first; the outcome is the same
        PromotionView expired = rig.get(p.id());
        assertThat(expired.state()).isEqualTo("EXPIRED");
        assertThat(expired.detail()).isEqualTo("nobody decided before " + Instant.ofEpochMilli(p.expireTime()));
        assertThat(rig.promotions().expireDue()).as("an expired promotion expires once").isZero();

        RawHttp.Response late = rig.approve("alice", p);
        assertThat(late.status()).isEqualTo(409);
        assertThat(late.body()).contains("promotion " + p.id() + " is EXPIRED, not awaiting approval", "nobody decided before");
        assertThat(rig.reject("bob", p, "too late").status()).isEqualTo(409);
        assertThat(rig.get(p.id()).decisions()).isEmpty();
        assertThat(rig.prodHead()).isNull();

        List<AuditLog.Entry> audit = rig.auditEntries("promotion.expire");
        assertThat(audit).singleElement().satisfies(e -> {
            assertThat(e.target()).isEqualTo(p.id());
            assertThat(e.actor()).isEqualTo("kiln");
            assertThat(e.detail()).contains("EXPIRED");
        });
        assertThat(rig.audit("promotion.approve")).isEmpty();
    }

    @Test
    void an_approval_arriving_after_the_expiry_is_refused_even_before_the_sweep_ran() throws Exception {
        PromotionView p = awaiting();
        clock.set(p.expireTime() + Duration.ofMinutes(5).toMillis());
        RawHttp.Response late = rig.approve("alice", p);
        assertThat(late.status()).isEqualTo(409);
        assertThat(late.body()).contains("is EXPIRED, not awaiting approval");
        assertThat(rig.get(p.id()).state()).isEqualTo("EXPIRED");
        assertThat(rig.audit("promotion.expire")).containsExactly(p.id());
        assertThat(rig.audit("promotion.approve")).isEmpty();
        assertThat(rig.prodHead()).isNull();
    }

    @Test
    void an_approval_in_time_is_not_touched_by_a_later_sweep() throws Exception {
        PromotionView p = awaiting();
        clock.set(p.expireTime() - 1);
        RawHttp.Response r = rig.approve("alice", p);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(rig.handled(rig.awaitBuild("prod", p.commit(), Duration.ofSeconds(60))).status())
                .isEqualTo(Status.SUCCESS);
        clock.set(p.expireTime() + 1);
        assertThat(rig.promotions().expireDue()).isZero();
        assertThat(rig.get(p.id()).state()).isEqualTo("PROMOTED");
        assertThat(rig.audit("promotion.expire")).isEmpty();
    }
}
