package dev.kiln.spec.protocol;

import dev.kiln.spec.api.ArtifactView;
import dev.kiln.spec.api.BuiltImage;
import dev.kiln.spec.metrics.MetricsReport;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The whole contract between an agent and the server (protocol version {@link LeaseRequest#PROTOCOL}).
 * The server implements it in-process for its embedded agent; agents elsewhere use its HTTP twin.
 *
 * <p>Call order for one build: {@link #lease} returns a lease; then {@link #source} once, and for
 * each step {@link #stepStarted}, any number of {@link #appendLog}, then for a step that passed its
 * {@link #metricsReported}, {@link #outputWarnings} and {@link #uploadArtifact}s, then
 * {@link #stepFinished}; finally the build's own artifacts, {@link #imagesPushed} and {@link #buildFinished}. {@link #heartbeat} runs beside them on its own thread. Every method but
 * {@code lease} throws {@link LeaseLostException} once the lease is gone. All methods are thread-safe.
 * {@code appendLog}, {@code stepFinished} and {@code buildFinished} are idempotent, so a caller may
 * resend after a network error.
 */
public interface AgentApi {

    /** Waits up to {@code wait} for a build this agent may run; empty if none came. */
    Optional<Lease> lease(LeaseRequest request, Duration wait) throws IOException, InterruptedException;

    /** Renews the lease, then waits up to {@code wait} unless a cancel is asked for. */
    HeartbeatReply heartbeat(String buildId, String leaseId, Duration wait) throws IOException, InterruptedException;

    /** The build's source archive (tar.gz). */
    InputStream source(String buildId, String leaseId) throws IOException;

    void stepStarted(String buildId, String leaseId, int step, long startMillis) throws IOException;

    /**
     * Appends {@code len} bytes that start at byte {@code offset} of the step's log. Bytes the
     * server already has are skipped, so a resend never doubles a line. Returns the log's size after.
     *
     * @throws LogGapException if {@code offset} is past the end of what the server has
     */
    long appendLog(String buildId, String leaseId, int step, long offset, byte[] data, int off, int len) throws IOException;

    /**
     * {@link #appendLog(String, String, int, long, byte[], int, int)} with the time the agent read
     * these bytes from the step (epoch milliseconds), which the dashboard shows beside each line.
     * A server that keeps no times may ignore it.
     */
    default long appendLog(String buildId, String leaseId, int step, long offset, byte[] data, int off, int len,
            long timeMillis) throws IOException {
        return appendLog(buildId, leaseId, step, offset, data, off, len);
    }

    void stepFinished(String buildId, String leaseId, int step, StepResult result) throws IOException;

    void buildFinished(String buildId, String leaseId, Status status, String detail) throws IOException;

    /**
     * Records the images the build pushed (its {@code images:}, after every step passed), before
     * {@link #buildFinished}. Idempotent: a resend replaces the list. A test double may ignore it.
     */
    default void imagesPushed(String buildId, String leaseId, List<BuiltImage> images) throws IOException {}

    /**
     * Records the metrics the agent read from step {@code step}'s {@code metrics:} file once the step
     * passed, with a warning for each value it could not take, before {@link #stepFinished}.
     * Idempotent: a resend replaces what that step's file reported. A test double may ignore it.
     */
    default void metricsReported(String buildId, String leaseId, int step, MetricsReport report) throws IOException {}

    /**
     * Stores {@code size} bytes read from {@code data} as the artifact {@code path} (relative to the
     * workspace) of step {@code step}, or of the build when {@code step} is null (its
     * {@code artifacts.objects}). Idempotent: a resend replaces the file at that path.
     *
     * @return the artifact as stored, with the SHA-256 the server computed
     * @throws RefusedCallException when the server refuses it (over a size limit, a path it cannot take): the message says why
     */
    default ArtifactView uploadArtifact(String buildId, String leaseId, Integer step, String path, long size,
            InputStream data) throws IOException {
        throw new RefusedCallException("this server stores no artifacts");
    }

    /**
     * Asks whether the server would take an artifact of {@code size} bytes at {@code path}, before
     * its bytes are sent: a file over a limit is refused with the reason, without uploading it.
     *
     * @throws RefusedCallException when it would not, saying why
     */
    default void checkArtifact(String buildId, String leaseId, Integer step, String path, long size) throws IOException {}

    /**
     * Warnings about what step {@code step} (null: the build) left behind, such as an artifact pattern
     * that matched nothing. Idempotent: a resend replaces that step's earlier ones. A test double may ignore it.
     */
    default void outputWarnings(String buildId, String leaseId, Integer step, List<String> warnings) throws IOException {}

    /**
     * The current production model of the repo build {@code buildId} is of, for the built-in step
     * {@code kiln/production-artifacts}: its version and the files its build kept. A listing without a
     * version when there is none (or the build is of no repo).
     */
    default ProductionListing production(String buildId, String leaseId) throws IOException {
        throw new RefusedCallException("this server keeps no production models");
    }

    /**
     * The bytes of {@code path} of the production build {@code productionBuild}, as {@link #production}
     * listed it. The caller checks them against the listed SHA-256.
     *
     * @throws RefusedCallException when that build is no longer the repo's production or has no such file
     */
    default InputStream productionFile(String buildId, String leaseId, String productionBuild, String path)
            throws IOException {
        throw new RefusedCallException("this server keeps no production models");
    }

    /**
     * The agent is stopping: a lease request of its still waiting on the server returns empty at
     * once, so no build is handed to an agent that is gone. Best effort; a test double may ignore it.
     */
    default void goodbye(String agentId) throws IOException, InterruptedException {}

    /** Thrown when a log chunk would leave a hole; {@link #size()} says where to resume. */
    final class LogGapException extends IOException {
        private final long size;

        public LogGapException(long size) {
            super("log has " + size + " bytes; resend from there");
            this.size = size;
        }

        public long size() {
            return size;
        }
    }
}
