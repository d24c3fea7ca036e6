package dev.kiln.agent.run;

import dev.kiln.spec.protocol.AgentApi;
import dev.kiln.spec.protocol.LeaseLostException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A test double of the server's log endpoint that keeps each step's log in memory and checks the
 * agent's side of {@link AgentApi#appendLog}: a chunk starts where the log ends, a resend repeats
 * exactly bytes sent before, and after a {@link LogGapException} (only after {@link #truncate}) the
 * agent goes on from the size given. The real server's skip and gap rules are not copied here:
 * {@code LogResendAgainstServerTest}, in the server module, runs the agent's log code against them.
 * Failures can be queued to hit the next calls. Only {@code appendLog} is implemented; the rest of
 * the protocol is not needed by the code under test.
 */
final class RecordingAgentApi extends PartialAgentApi {

    /** What to do to one upcoming {@code appendLog} call. */
    enum Fault {
        /** Throw before storing anything (the request never arrived). */
        FAIL_BEFORE_STORE,
        /** Store the bytes, then throw (the reply was lost). */
        FAIL_AFTER_STORE,
        /** Throw {@link LeaseLostException}. */
        LEASE_LOST
    }

    private final Map<Integer, ByteArrayOutputStream> logs = new HashMap<>();
    private final Deque<Fault> faults = new ArrayDeque<>();
    private final List<String> calls = new ArrayList<>();
    private final Set<Integer> truncated = new HashSet<>();

    synchronized void failNext(Fault... next) {
        faults.addAll(List.of(next));
    }

    /**
     * Drops all but the first {@code keep} bytes of a step's log, as a server restart might: the
     * next chunk past the end gets a {@link LogGapException} with the size left.
     */
    synchronized void truncate(int step, int keep) {
        truncated.add(step);
        byte[] all = bytes(step);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(all, 0, keep);
        logs.put(step, b);
    }

    synchronized byte[] bytes(int step) {
        ByteArrayOutputStream b = logs.get(step);
        return b == null ? new byte[0] : b.toByteArray();
    }

    synchronized String text(int step) {
        return new String(bytes(step), StandardCharsets.UTF_8);
    }

    /** Each appendLog call as "step@offset+len". */
    synchronized List<String> calls() {
        return List.copyOf(calls);
    }

    @Override
    public synchronized long appendLog(String buildId, String leaseId, int step, long offset, byte[] data, int off, int len)
            throws IOException {
        calls.add(step + "@" + offset + "+" + len);
        Fault fault = faults.pollFirst();
        if (fault == Fault.LEASE_LOST) {
            throw new LeaseLostException("lease " + leaseId + " is gone");
        }
        if (fault == Fault.FAIL_BEFORE_STORE) {
            throw new IOException("connection reset");
        }
        ByteArrayOutputStream log = logs.computeIfAbsent(step, s -> new ByteArrayOutputStream());
        int size = log.size();
        if (offset > size) {
            if (truncated.remove(step)) {
                throw new LogGapException(size);
            }
            throw new AssertionError("step " + step + ": chunk " + offset + "+" + len + " skips past the log's "
                    + size + " bytes");
        }
        if (offset == size) {
            log.write(data, off, len);
        } else if (offset + len > size
                || !Arrays.equals(log.toByteArray(), (int) offset, (int) offset + len, data, off, off + len)) {
            throw new AssertionError("step " + step + ": chunk " + offset + "+" + len + " neither follows the log ("
                    + size + " bytes) nor repeats bytes sent before");
        }
        if (fault == Fault.FAIL_AFTER_STORE) {
            throw new IOException("read timed out");
        }
        return log.size();
    }
}
