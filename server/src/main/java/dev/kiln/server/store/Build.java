package dev.kiln.server.store;

import dev.kiln.spec.plan.StepPlan;

import dev.kiln.spec.protocol.Status;
import java.util.List;
import java.util.Map;

/** A build as the server keeps it. Times are epoch milliseconds; null when not reached. */
public record Build(
        String id,
        long seq,
        Status status,
        String statusDetail,
        String sourceDigest,
        String configPath,
        Map<String, String> substitutions,
        String planJson,
        List<String> tags,
        List<String> labels,
        String retryOf,
        long createTime,
        Long startTime,
        Long finishTime,
        long timeoutMillis,
        Long queueTtlMillis,
        String agentId,
        String leaseId,
        Long leaseExpires,
        boolean cancelRequested,
        Provenance provenance,
        Long queuedTime,
        String causeDetail,
        Approval approval) {

    /** The repo this build is of; null for a build submitted from a working directory. */
    public String repo() {
        return provenance == null ? null : provenance.repo();
    }

    /** A build not (yet) decided on by an approver, queued at its creation unless {@code PENDING}. */
    public Build(String id, long seq, Status status, String statusDetail, String sourceDigest, String configPath,
                 Map<String, String> substitutions, String planJson, List<String> tags, List<String> labels,
                 String retryOf, long createTime, Long startTime, Long finishTime, long timeoutMillis,
                 Long queueTtlMillis, String agentId, String leaseId, Long leaseExpires, boolean cancelRequested,
                 Provenance provenance) {
        this(id, seq, status, statusDetail, sourceDigest, configPath, substitutions, planJson, tags, labels, retryOf,
                createTime, startTime, finishTime, timeoutMillis, queueTtlMillis, agentId, leaseId, leaseExpires,
                cancelRequested, provenance, null, null, null);
    }

    /** A build with no git provenance (a plain submit). */
    public Build(String id, long seq, Status status, String statusDetail, String sourceDigest, String configPath,
                 Map<String, String> substitutions, String planJson, List<String> tags, List<String> labels,
                 String retryOf, long createTime, Long startTime, Long finishTime, long timeoutMillis,
                 Long queueTtlMillis, String agentId, String leaseId, Long leaseExpires, boolean cancelRequested) {
        this(id, seq, status, statusDetail, sourceDigest, configPath, substitutions, planJson, tags, labels, retryOf,
                createTime, startTime, finishTime, timeoutMillis, queueTtlMillis, agentId, leaseId, leaseExpires,
                cancelRequested, Provenance.SUBMIT);
    }

    /** When its queueTtl starts: when it entered the queue (its approval), else its creation. */
    public long queueStart() {
        return queuedTime != null ? queuedTime : createTime;
    }

    /** What a queued build with {@code labels} says it waits for; null when any agent may take it. */
    public static String waitingFor(List<String> labels) {
        if (labels.isEmpty()) {
            return null;
        }
        return "waiting for an agent with labels " + String.join(", ", labels)
                + (labels.contains(StepPlan.DOCKER_LABEL) ? " ('docker': steps run in images or images are pushed; an agent"
                        + " offers it when it reaches a Docker engine, see kiln agent --executor)" : "");
    }
}
