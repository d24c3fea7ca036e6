package dev.kiln.server.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.server.store.Build;
import dev.kiln.spec.protocol.Lease;
import dev.kiln.spec.protocol.Status;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The "agent lost" notice is in the step's log before anyone can see the build ended: a stream
 * that reads the build's end, then the logs' sizes, and sends its {@code end} has the notice in
 * what it sent. A reader is set going exactly while the end is being made (through the
 * scheduler's seam, before the notice is written); whatever it reads, it never sees the build
 * ended with a log that lacks the notice.
 */
class AgentLostNoticeTest {
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

    record Seen(Status status, String log) {}

    @Test
    void a_reader_racing_the_end_of_a_lost_build_sees_its_notice_whenever_it_sees_the_end() throws Exception {
        Build b = f.queue(3_600_000, null);
        Lease lease = f.lease("agent-1");
        f.agents.stepStarted(b.id(), lease.leaseId(), 0, f.clock.millis());
        byte[] line = "epoch 1\n".getBytes(StandardCharsets.UTF_8);
        f.agents.appendLog(b.id(), lease.leaseId(), 0, 0, line, 0, line.length);
        f.clock.advance(SchedulerFixture.LEASE.toMillis() + 1);

        CompletableFuture<Seen> seen = new CompletableFuture<>();
        f.scheduler.beforeNotice = id -> {
            // What a stream does: the build's status, then its log. It reads while the end is in progress.
            Thread reader = new Thread(() -> {
                try {
                    Status s = f.status(id);
                    seen.complete(new Seen(s, f.log(id)));
                } catch (Exception e) {
                    seen.completeExceptionally(e);
                }
            });
            reader.start();
            try {
                // The reader cannot see the end before it is committed: it waits, and this wait runs out.
                // Were the end visible already, the reader would be done here, having read it without the notice.
                reader.join(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        f.scheduler.reap();

        Seen r = seen.get(10, TimeUnit.SECONDS);
        assertThat(r.status()).as("the reader saw the build's end").isEqualTo(Status.INTERNAL_ERROR);
        assertThat(r.log()).as("the log as the reader saw it with the build ended")
                .isEqualTo("epoch 1\n\n[kiln] agent lost: no heartbeat from agent-1 for 30s\n");
    }
}
