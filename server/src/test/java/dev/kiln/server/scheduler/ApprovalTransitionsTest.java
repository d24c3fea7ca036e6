package dev.kiln.server.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.server.store.Approval;
import dev.kiln.server.store.Build;
import dev.kiln.spec.protocol.LeaseRequest;
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
 * APPROVE, REJECT and CANCEL_PENDING on the real store with an injected clock: a PENDING build is
 * never leased and never expires (Cloud Build: PENDING "has not been queued", and queueTtl counts
 * in the queue), its queueTtl starts when it is approved, and each decision is made once.
 */
class ApprovalTransitionsTest {
    @TempDir Path tmp;
    SchedulerFixture f;

    @BeforeEach
    void open() throws Exception {
        f = new SchedulerFixture(tmp);
    }

    @AfterEach
    void close() {
        f.close();
    }

    private Build pending(Long ttl) {
        Build q = f.queue(60_000, ttl);
        // The fixture queues; a second, PENDING build is what a gated trigger makes.
        Build p = new Build("p-" + q.id(), 0, Status.PENDING, "waiting for approval", null, "build.yaml", Map.of(),
                q.planJson(), List.of(), List.of(), null, f.clock.millis(), null, null, 60_000, ttl, null, null, null,
                false, dev.kiln.server.store.Provenance.SUBMIT);
        f.scheduler.cancel(q.id());
        return f.store.insert(p, List.of("step"));
    }

    private Approval by(Approval.Decision d) {
        return new Approval(d, "ada", f.clock.millis(), null);
    }

    @Test
    void a_pending_build_is_never_leased_and_its_queue_ttl_starts_at_its_approval() throws Exception {
        Build b = pending(1_000L);
        assertThat(f.scheduler.lease(new LeaseRequest(LeaseRequest.PROTOCOL, "a1", "host", List.of()), Duration.ZERO))
                .isEmpty();
        f.clock.advance(3_600_000);
        f.scheduler.reap();
        assertThat(f.status(b.id())).isEqualTo(Status.PENDING);

        assertThat(f.scheduler.approve(b.id(), by(Approval.Decision.APPROVED))).isEqualTo(Scheduler.Decided.DONE);
        assertThat(f.store.get(b.id()).orElseThrow().queuedTime()).isEqualTo(f.clock.millis());
        f.clock.advance(999);
        f.scheduler.reap();
        assertThat(f.status(b.id())).isEqualTo(Status.QUEUED);
        f.clock.advance(2);
        f.scheduler.reap();
        assertThat(f.status(b.id())).isEqualTo(Status.EXPIRED);
    }

    @Test
    void an_approved_build_is_leased_and_a_second_decision_changes_nothing() throws Exception {
        Build b = pending(null);
        assertThat(f.scheduler.approve(b.id(), by(Approval.Decision.APPROVED))).isEqualTo(Scheduler.Decided.DONE);
        assertThat(f.scheduler.reject(b.id(), by(Approval.Decision.REJECTED))).isEqualTo(Scheduler.Decided.NOT_PENDING);
        assertThat(f.scheduler.approve(b.id(), by(Approval.Decision.APPROVED))).isEqualTo(Scheduler.Decided.NOT_PENDING);
        assertThat(f.lease("a1").buildId()).isEqualTo(b.id());
        assertThat(f.store.get(b.id()).orElseThrow().approval().decision()).isEqualTo(Approval.Decision.APPROVED);
        assertThat(f.scheduler.approve("nope", by(Approval.Decision.APPROVED))).isEqualTo(Scheduler.Decided.NO_BUILD);
    }

    @Test
    void a_rejection_or_a_cancel_ends_a_pending_build_once_with_its_steps_skipped() {
        Build r = pending(null);
        assertThat(f.scheduler.reject(r.id(), by(Approval.Decision.REJECTED))).isEqualTo(Scheduler.Decided.DONE);
        assertThat(f.status(r.id())).isEqualTo(Status.CANCELLED);
        assertThat(f.store.steps(r.id())).extracting(s -> s.status()).containsOnly(Status.SKIPPED);
        assertThat(f.scheduler.cancel(r.id())).isFalse();

        Build c = pending(null);
        assertThat(f.scheduler.cancel(c.id())).isTrue();
        assertThat(f.status(c.id())).isEqualTo(Status.CANCELLED);
        assertThat(f.scheduler.approve(c.id(), by(Approval.Decision.APPROVED))).isEqualTo(Scheduler.Decided.NOT_PENDING);
        assertThat(f.store.get(c.id()).orElseThrow().approval()).isNull();
    }
}
