package dev.kiln.agent.run;

import dev.kiln.spec.protocol.AgentApi;
import dev.kiln.spec.protocol.HeartbeatReply;
import dev.kiln.spec.protocol.Lease;
import dev.kiln.spec.protocol.LeaseRequest;
import dev.kiln.spec.protocol.Status;
import dev.kiln.spec.protocol.StepResult;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Optional;

/**
 * Base of the test doubles of the server: every call fails until a double overrides it, so a
 * test that reaches a part of the protocol it did not plan for fails loudly.
 */
abstract class PartialAgentApi implements AgentApi {

    @Override
    public Optional<Lease> lease(LeaseRequest request, Duration wait) throws IOException, InterruptedException {
        throw new UnsupportedOperationException("lease");
    }

    @Override
    public HeartbeatReply heartbeat(String buildId, String leaseId, Duration wait) throws IOException, InterruptedException {
        throw new UnsupportedOperationException("heartbeat");
    }

    @Override
    public InputStream source(String buildId, String leaseId) throws IOException {
        throw new UnsupportedOperationException("source");
    }

    @Override
    public void stepStarted(String buildId, String leaseId, int step, long startMillis) throws IOException {
        throw new UnsupportedOperationException("stepStarted");
    }

    @Override
    public long appendLog(String buildId, String leaseId, int step, long offset, byte[] data, int off, int len)
            throws IOException {
        throw new UnsupportedOperationException("appendLog");
    }

    @Override
    public void stepFinished(String buildId, String leaseId, int step, StepResult result) throws IOException {
        throw new UnsupportedOperationException("stepFinished");
    }

    @Override
    public void imagesPushed(String buildId, String leaseId, java.util.List<dev.kiln.spec.api.BuiltImage> images) throws IOException {
        throw new UnsupportedOperationException("imagesPushed");
    }

    @Override
    public void buildFinished(String buildId, String leaseId, Status status, String detail) throws IOException {
        throw new UnsupportedOperationException("buildFinished");
    }
}
