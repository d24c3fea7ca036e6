package dev.kiln.agent.run;

import dev.kiln.spec.protocol.AgentApi;
import dev.kiln.spec.protocol.LeaseLostException;
import java.io.IOException;

/**
 * Sends one step's log to the server with byte offsets. A failed send is retried from the same
 * offset, and the server skips bytes it already has, so nothing is doubled or lost.
 */
final class StepLog {
    private static final int ATTEMPTS = 8;

    private final AgentApi api;
    private final String buildId;
    private final String leaseId;
    private final int step;
    private long offset;

    StepLog(AgentApi api, String buildId, String leaseId, int step) {
        this.api = api;
        this.buildId = buildId;
        this.leaseId = leaseId;
        this.step = step;
    }

    void write(byte[] data, int off, int len) throws IOException {
        if (len == 0) {
            return;
        }
        IOException last = null;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            try {
                offset = api.appendLog(buildId, leaseId, step, offset, data, off, len);
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
            Thread.sleep(Math.min(2_000, 50L << attempt));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while resending a log chunk", e);
        }
    }
}
