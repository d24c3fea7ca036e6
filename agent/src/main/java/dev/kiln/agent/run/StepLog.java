package dev.kiln.agent.run;

import dev.kiln.spec.protocol.AgentApi;
import dev.kiln.spec.protocol.LeaseLostException;
import java.io.IOException;

/**
 * Sends one step's log to the server with byte offsets. A failed send is retried from the same
 * offset, and the server skips bytes it already has, so nothing is doubled or lost. While the
 * server is away (a restart) it keeps trying for {@code patienceMillis}: as long as the lease
 * could still be held; the step meanwhile blocks on its full output pipe, losing nothing.
 */
final class StepLog {
    /** Without a lease to go by: about as long as the default lease (30 s). */
    static final long DEFAULT_PATIENCE_MS = 30_000;

    private final AgentApi api;
    private final String buildId;
    private final String leaseId;
    private final int step;
    private final long patienceMillis;
    private long offset;

    StepLog(AgentApi api, String buildId, String leaseId, int step) {
        this(api, buildId, leaseId, step, DEFAULT_PATIENCE_MS);
    }

    StepLog(AgentApi api, String buildId, String leaseId, int step, long patienceMillis) {
        this.api = api;
        this.buildId = buildId;
        this.leaseId = leaseId;
        this.step = step;
        this.patienceMillis = patienceMillis;
    }

    void write(byte[] data, int off, int len) throws IOException {
        if (len == 0) {
            return;
        }
        long now = System.currentTimeMillis();   // when the step wrote them, give or take the pump's read; kept across resends
        IOException last = null;
        long giveUp = System.nanoTime() + patienceMillis * 1_000_000;
        for (int attempt = 0; attempt == 0 || System.nanoTime() < giveUp; attempt++) {
            try {
                offset = api.appendLog(buildId, leaseId, step, offset, data, off, len, now);
                return;
            } catch (LeaseLostException e) {
                throw e;
            } catch (AgentApi.LogGapException e) {
                // The server has fewer bytes than we sent: it lost some (a restart mid-write). Resume at its end.
                offset = e.size();
                last = e;
            } catch (IOException e) {
                last = e;
                backoff(attempt);
            }
        }
        throw last;
    }

    void write(String text) throws IOException {
        byte[] b = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        write(b, 0, b.length);
    }

    long size() {
        return offset;
    }

    private static void backoff(int attempt) throws IOException {
        try {
            Thread.sleep(Math.min(1_000, 50L << Math.min(attempt, 10)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while resending a log chunk", e);
        }
    }
}
