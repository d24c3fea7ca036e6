package dev.kiln.agent.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.server.scheduler.SchedulerFixture;
import dev.kiln.spec.Trickle;
import dev.kiln.spec.protocol.AgentApi;
import dev.kiln.spec.protocol.HeartbeatReply;
import dev.kiln.spec.protocol.Lease;
import dev.kiln.spec.protocol.LeaseLostException;
import dev.kiln.spec.protocol.LeaseRequest;
import dev.kiln.spec.protocol.Status;
import dev.kiln.spec.protocol.StepResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's log sending ({@link StepLog}, {@link LogPump}) against the server's real
 * {@code AgentService} and {@code LogStore}, with a faulty link between them: what the agent
 * resends is checked against the server's own skip and gap rules, not a copy of them. (In the
 * agent's package, in the server's tests, as only here both sides are on the class path.)
 */
class LogResendAgainstServerTest {
    @TempDir Path tmp;
    SchedulerFixture server;
    FaultyLink link;
    String buildId;
    String leaseId;

    @BeforeEach
    void leaseABuild() throws Exception {
        server = new SchedulerFixture(tmp);
        link = new FaultyLink(server.agents);
        buildId = server.queue(60_000, null).id();
        Lease lease = server.lease("agent");
        leaseId = lease.leaseId();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void a_chunk_whose_reply_was_lost_is_resent_and_the_server_keeps_it_once() throws IOException {
        StepLog log = new StepLog(link, buildId, leaseId, 0);
        link.failNext(Fault.LOST_REPLY, Fault.LOST_REPLY);

        log.write("one\n");
        log.write("two\n");

        assertThat(link.calls()).containsExactly("0@0+4 lost reply", "0@0+4 lost reply", "0@0+4", "0@4+4");
        assertThat(stored()).isEqualTo("one\ntwo\n");
        assertThat(log.size()).isEqualTo(8);
    }

    @Test
    void a_chunk_that_never_arrived_is_resent_and_stored_once() throws IOException {
        StepLog log = new StepLog(link, buildId, leaseId, 0);
        log.write("one\n");
        link.failNext(Fault.DROPPED_REQUEST);

        log.write("two\n");

        assertThat(link.calls()).containsExactly("0@0+4", "0@4+4 dropped", "0@4+4");
        assertThat(stored()).isEqualTo("one\ntwo\n");
    }

    @Test
    void a_chunk_the_server_stored_in_part_is_completed_by_the_resend_with_nothing_doubled() throws IOException {
        StepLog log = new StepLog(link, buildId, leaseId, 0);
        link.failNext(Fault.HALF_STORED);

        log.write("hello world\n");
        log.write("bye\n");

        assertThat(link.calls()).containsExactly("0@0+12 half stored", "0@0+12", "0@12+4");
        assertThat(stored()).isEqualTo("hello world\nbye\n");
        assertThat(log.size()).isEqualTo(16);
    }

    @Test
    void a_gap_is_refused_with_the_size_the_server_has_and_the_agent_goes_on_from_there() throws IOException {
        StepLog log = new StepLog(link, buildId, leaseId, 0);
        log.write("hello ");
        // The server comes back from a crash with only part of what it acknowledged.
        try (FileChannel ch = FileChannel.open(server.logs.file(buildId, 0), StandardOpenOption.WRITE)) {
            ch.truncate(2);
        }

        log.write("world");
        log.write("!\n");

        assertThat(link.calls()).containsExactly("0@0+6", "0@6+5 gap at 2", "0@2+5", "0@7+2");
        // What the server lost stays lost (the agent keeps no copy of what was acknowledged); nothing
        // after it is lost, doubled or left out of place.
        assertThat(stored()).isEqualTo("heworld!\n");
        assertThat(log.size()).isEqualTo(9);
    }

    @Test
    void once_the_build_has_ended_a_write_fails_at_once_and_stores_nothing() throws IOException {
        StepLog log = new StepLog(link, buildId, leaseId, 0);
        log.write("before\n");
        server.agents.buildFinished(buildId, leaseId, Status.SUCCESS, null);

        assertThatThrownBy(() -> log.write("after\n")).isInstanceOf(LeaseLostException.class);

        assertThat(link.calls()).containsExactly("0@0+7", "0@7+6 lease lost");
        assertThat(stored()).isEqualTo("before\n");
    }

    @Test
    void a_step_output_pumped_through_lost_dropped_and_half_stored_chunks_is_stored_byte_for_byte() throws IOException {
        byte[] output = output(300_000);
        // Every third chunk meets a fault: each kind in turn.
        List<Fault> faults = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            faults.add(Fault.NONE);
            faults.add(Fault.NONE);
            faults.add(Fault.values()[1 + i % 3]);
        }
        link.failNext(faults.toArray(Fault[]::new));
        StepLog log = new StepLog(link, buildId, leaseId, 0);

        // Chunks of at most 4 KiB: 74 or more of them however the read-ahead groups the pieces, so every fault is met.
        new LogPump(log, new LogBudget(LogBudget.DEFAULT_CAP), 4096).pump(new Trickle(output));

        assertThat(link.calls()).anyMatch(c -> c.endsWith("lost reply")).anyMatch(c -> c.endsWith("dropped"))
                .anyMatch(c -> c.endsWith("half stored"));
        assertThat(Files.readAllBytes(server.logs.file(buildId, 0))).isEqualTo(output);
        assertThat(log.size()).isEqualTo(output.length);
    }

    private String stored() throws IOException {
        return Files.readString(server.logs.file(buildId, 0), StandardCharsets.UTF_8);
    }

    /** Lines of varied text, some of it not ASCII, {@code size} bytes or a little more. */
    private static byte[] output(int size) {
        Random random = new Random(7);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; out.size() < size; i++) {
            byte[] line = ("line " + i + " " + "ünïcödé €😀 ".repeat(random.nextInt(8)) + "x".repeat(random.nextInt(300)) + "\n")
                    .getBytes(StandardCharsets.UTF_8);
            out.write(line, 0, line.length);
        }
        return out.toByteArray();
    }

    /** What happens to one {@code appendLog} call on its way. */
    enum Fault {
        NONE,
        /** The server stored the chunk; its reply never came back. */
        LOST_REPLY,
        /** The request never reached the server. */
        DROPPED_REQUEST,
        /** The server stored the first half of the chunk, then the connection broke. */
        HALF_STORED
    }

    /** The wire between agent and server: passes calls on, breaks the ones it is told to, and notes each {@code appendLog}. */
    static final class FaultyLink implements AgentApi {
        private final AgentApi server;
        private final Deque<Fault> faults = new ArrayDeque<>();
        private final List<String> calls = new ArrayList<>();

        FaultyLink(AgentApi server) {
            this.server = server;
        }

        synchronized void failNext(Fault... next) {
            faults.addAll(List.of(next));
        }

        /** Each appendLog as "step@offset+len", and what befell it. */
        synchronized List<String> calls() {
            return List.copyOf(calls);
        }

        @Override
        public synchronized long appendLog(String buildId, String leaseId, int step, long offset, byte[] data, int off, int len)
                throws IOException {
            String call = step + "@" + offset + "+" + len;
            Fault fault = faults.isEmpty() ? Fault.NONE : faults.pollFirst();
            try {
                switch (fault) {
                    case DROPPED_REQUEST -> {
                        calls.add(call + " dropped");
                        throw new IOException("connection reset");
                    }
                    case HALF_STORED -> {
                        server.appendLog(buildId, leaseId, step, offset, data, off, len / 2);
                        calls.add(call + " half stored");
                        throw new IOException("connection reset");
                    }
                    case LOST_REPLY -> {
                        server.appendLog(buildId, leaseId, step, offset, data, off, len);
                        calls.add(call + " lost reply");
                        throw new IOException("read timed out");
                    }
                    default -> {
                        long size = server.appendLog(buildId, leaseId, step, offset, data, off, len);
                        calls.add(call);
                        return size;
                    }
                }
            } catch (LogGapException e) {
                calls.add(call + " gap at " + e.size());
                throw e;
            } catch (LeaseLostException e) {
                calls.add(call + " lease lost");
                throw e;
            }
        }

        @Override
        public Optional<Lease> lease(LeaseRequest request, Duration wait) throws IOException, InterruptedException {
            return server.lease(request, wait);
        }

        @Override
        public HeartbeatReply heartbeat(String buildId, String leaseId, Duration wait) throws IOException, InterruptedException {
            return server.heartbeat(buildId, leaseId, wait);
        }

        @Override
        public InputStream source(String buildId, String leaseId) throws IOException {
            return server.source(buildId, leaseId);
        }

        @Override
        public void stepStarted(String buildId, String leaseId, int step, long startMillis) throws IOException {
            server.stepStarted(buildId, leaseId, step, startMillis);
        }

        @Override
        public void stepFinished(String buildId, String leaseId, int step, StepResult result) throws IOException {
            server.stepFinished(buildId, leaseId, step, result);
        }

        @Override
        public void buildFinished(String buildId, String leaseId, Status status, String detail) throws IOException {
            server.buildFinished(buildId, leaseId, status, detail);
        }
    }

}
