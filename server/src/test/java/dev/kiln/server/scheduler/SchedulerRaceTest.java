package dev.kiln.server.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.server.store.Build;
import dev.kiln.spec.protocol.Lease;
import dev.kiln.spec.protocol.LeaseLostException;
import dev.kiln.spec.protocol.Status;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each race between the scheduler's actors, played in a fixed order on an injected clock: the
 * move that comes second, acting on what it saw before the first, changes nothing.
 */
class SchedulerRaceTest {
    @TempDir java.nio.file.Path tmp;
    SchedulerFixture f;

    @BeforeEach
    void start() throws Exception {
        f = new SchedulerFixture(tmp);
    }

    @AfterEach
    void stop() {
        f.close();
    }

    /** The move that came second changed nothing: the build runs on, under the same lease. */
    private void assertStillRunsUnder(Build b, Lease lease) {
        assertThat(f.status(b.id())).isEqualTo(Status.WORKING);
        assertThat(f.scheduler.holds(b.id(), lease.leaseId())).isTrue();
    }

    private byte[] line(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void an_expiry_from_a_stale_queue_snapshot_does_not_end_a_build_an_agent_claimed_meanwhile() throws Exception {
        Build b = f.queue(60_000, 1_000L);
        List<Build> snapshot = f.store.queued();          // what another agent's lease request saw
        Lease lease = f.lease("agent-1");                  // ... before this agent took the build
        f.clock.advance(5_000);                            // the queue TTL has passed since

        assertThat(f.scheduler.expire(snapshot.get(0).id(), 1_000, f.clock.millis())).isFalse();
        f.scheduler.reap();
        assertStillRunsUnder(b, lease);
    }

    @Test
    void a_reaper_that_saw_an_expired_lease_does_nothing_once_the_lease_was_renewed() throws Exception {
        Build b = f.queue(3_600_000, null);
        Lease lease = f.lease("agent-1");
        f.agents.stepStarted(b.id(), lease.leaseId(), 0, f.clock.millis());   // the agent called back
        long expiry = f.store.get(b.id()).orElseThrow().leaseExpires();

        f.clock.set(expiry + 1);
        List<Build> snapshot = f.store.leaseExpired(f.clock.millis());      // the reaper looks ...
        assertThat(snapshot).extracting(Build::id).containsExactly(b.id());
        f.clock.set(expiry);                                                 // ... a heartbeat read the clock first
        assertThat(f.scheduler.heartbeat(b.id(), lease.leaseId(), Duration.ZERO)).contains(false);

        assertThat(f.scheduler.reapLost(snapshot.get(0), expiry + 1)).isFalse();
        assertStillRunsUnder(b, lease);
    }

    @Test
    void a_lease_past_its_expiry_cannot_be_renewed_only_reaped() throws Exception {
        Build b = f.queue(3_600_000, null);
        Lease lease = f.lease("agent-1");
        f.agents.stepStarted(b.id(), lease.leaseId(), 0, f.clock.millis());
        f.clock.advance(SchedulerFixture.LEASE.toMillis() + 1);

        assertThat(f.scheduler.heartbeat(b.id(), lease.leaseId(), Duration.ZERO)).isEmpty();
        f.scheduler.reap();
        assertThat(f.status(b.id())).isEqualTo(Status.INTERNAL_ERROR);
        assertThat(f.log(b.id())).startsWith("\n[kiln] agent lost");
    }

    @Test
    void a_stale_lost_verdict_does_not_end_the_build_an_agent_took_after_a_requeue() throws Exception {
        Build b = f.queue(3_600_000, null);
        Lease first = f.lease("agent-1");                  // takes it and never calls back
        f.clock.advance(SchedulerFixture.LEASE.toMillis() + 1);
        Build seen = f.store.leaseExpired(f.clock.millis()).get(0);
        assertThat(f.scheduler.reapLost(seen, f.clock.millis())).isTrue();   // requeued: nothing had run
        assertThat(f.status(b.id())).isEqualTo(Status.QUEUED);
        Lease second = f.lease("agent-2");

        assertThat(f.scheduler.reapLost(seen, f.clock.millis())).as("the verdict on the first lease").isFalse();
        assertThat(f.status(b.id())).isEqualTo(Status.WORKING);
        assertThat(f.scheduler.holds(b.id(), second.leaseId())).isTrue();
        assertThat(f.scheduler.holds(b.id(), first.leaseId())).isFalse();
    }

    @Test
    void a_cancel_that_finds_the_build_taken_by_an_agent_reaches_that_agent() throws Exception {
        Build b = f.queue(3_600_000, null);
        Lease lease = f.lease("agent-1");

        assertThat(f.scheduler.cancel(b.id())).isTrue();
        assertThat(f.status(b.id())).isEqualTo(Status.WORKING);
        assertThat(f.scheduler.heartbeat(b.id(), lease.leaseId(), Duration.ofSeconds(5))).contains(true);
        assertThat(f.scheduler.finished(b.id(), lease.leaseId(), Status.CANCELLED, "cancelled")).isTrue();
        assertThat(f.status(b.id())).isEqualTo(Status.CANCELLED);
        assertThat(f.scheduler.cancel(b.id())).as("a second cancel of an ended build").isFalse();
    }

    @Test
    void an_agent_report_after_its_build_ended_is_refused_and_the_lease_is_gone() throws Exception {
        Build b = f.queue(1_000, null);
        Lease lease = f.lease("agent-1");
        f.agents.stepStarted(b.id(), lease.leaseId(), 0, f.clock.millis());
        f.agents.appendLog(b.id(), lease.leaseId(), 0, 0, line("epoch 1\n"), 0, 8);
        // The agent keeps renewing (it is alive) but is stuck: the server ends the build past timeout + grace.
        long deadline = f.clock.millis() + 1_000 + SchedulerFixture.LEASE.toMillis();
        while (f.clock.millis() <= deadline) {
            assertThat(f.scheduler.heartbeat(b.id(), lease.leaseId(), Duration.ZERO)).contains(false);
            f.scheduler.reap();
            assertThat(f.status(b.id())).isEqualTo(Status.WORKING);
            f.clock.advance(10_000);
        }
        f.scheduler.reap();

        assertThat(f.status(b.id())).isEqualTo(Status.TIMEOUT);
        assertThat(f.store.get(b.id()).orElseThrow().statusDetail()).contains("build timed out after 1s", "ended by the server");
        assertThat(f.store.steps(b.id()).get(0).status()).isEqualTo(Status.TIMEOUT);
        assertThat(f.log(b.id())).startsWith("epoch 1\n\n[kiln] build timed out after 1s");
        assertThat(f.scheduler.heldLeases()).isZero();
        String log = f.log(b.id());
        assertThatThrownBy(() -> f.agents.appendLog(b.id(), lease.leaseId(), 0, 8, line("epoch 2\n"), 0, 8))
                .isInstanceOf(LeaseLostException.class);
        assertThatThrownBy(() -> f.agents.heartbeat(b.id(), lease.leaseId(), Duration.ZERO))
                .isInstanceOf(LeaseLostException.class);
        assertThat(f.scheduler.heldLeases()).as("a heartbeat after the end recreates nothing").isZero();
        assertThat(f.log(b.id())).isEqualTo(log);
    }

    @Test
    void an_abandoned_build_ends_once_and_its_agent_finish_after_that_changes_nothing() throws Exception {
        Build b = f.queue(3_600_000, null);
        Lease lease = f.lease("agent-1");
        f.agents.stepStarted(b.id(), lease.leaseId(), 0, f.clock.millis());
        f.scheduler.abandon("agent-1", "server stopped during the build");

        assertThat(f.scheduler.finished(b.id(), lease.leaseId(), Status.SUCCESS, null)).isFalse();
        assertThat(f.status(b.id())).isEqualTo(Status.INTERNAL_ERROR);
        assertThat(f.log(b.id())).isEqualTo("\n[kiln] server stopped during the build\n");
        assertThat(f.scheduler.heldLeases()).isZero();
    }

    @Test
    void a_stopping_agent_s_waiting_poll_ends_empty_and_the_next_build_waits_for_an_agent_that_is_there() throws Exception {
        var request = new dev.kiln.spec.protocol.LeaseRequest(dev.kiln.spec.protocol.LeaseRequest.PROTOCOL, "agent-1", "h", List.of());
        var result = new java.util.concurrent.CompletableFuture<java.util.Optional<Lease>>();
        Thread poll = new Thread(() -> {
            try {
                result.complete(f.scheduler.lease(request, Duration.ofSeconds(30)));
            } catch (InterruptedException e) {
                result.completeExceptionally(e);
            }
        });
        poll.start();
        f.scheduler.goodbye("agent-1");

        assertThat(result.get(5, java.util.concurrent.TimeUnit.SECONDS)).isEmpty();
        Build b = f.queue(3_600_000, null);
        assertThat(f.scheduler.lease(request, Duration.ZERO)).as("a poll of the departed agent").isEmpty();
        assertThat(f.status(b.id())).isEqualTo(Status.QUEUED);
        assertThat(f.lease("agent-2").buildId()).isEqualTo(b.id());
    }
}
