package dev.kiln.server.store;

import static dev.kiln.spec.protocol.Status.CANCELLED;
import static dev.kiln.spec.protocol.Status.EXPIRED;
import static dev.kiln.spec.protocol.Status.FAILURE;
import static dev.kiln.spec.protocol.Status.INTERNAL_ERROR;
import static dev.kiln.spec.protocol.Status.PENDING;
import static dev.kiln.spec.protocol.Status.QUEUED;
import static dev.kiln.spec.protocol.Status.SUCCESS;
import static dev.kiln.spec.protocol.Status.TIMEOUT;
import static dev.kiln.spec.protocol.Status.WORKING;

import dev.kiln.spec.protocol.Status;
import java.util.Set;

/**
 * The build's state machine, written down once: which actor may move a build from which status
 * to which, and the SQL guard that makes each move a compare-and-set. A move whose guard no
 * longer holds (another actor moved first) changes nothing, so every build ends exactly once.
 * The README's table is this one.
 */
public enum Transition {
    /** A submitted source becomes a build; a build of a trigger that requires approval waits PENDING. */
    SUBMIT("BuildService", null, Set.of(QUEUED, PENDING), null),
    /** An approver lets a pending build into the queue; its queueTtl starts now. */
    APPROVE("approver", PENDING, Set.of(QUEUED), "status = 'PENDING'"),
    /** An approver turns a pending build down: it ends as Cloud Build's does, CANCELLED, nothing run. */
    REJECT("approver", PENDING, Set.of(CANCELLED), "status = 'PENDING'"),
    /** A cancel of a build still waiting for approval. */
    CANCEL_PENDING("user", PENDING, Set.of(CANCELLED), "status = 'PENDING'"),
    /** An agent takes the oldest queued build its labels fit. */
    CLAIM("agent (lease)", QUEUED, Set.of(WORKING), "status = 'QUEUED'"),
    /** The lease holder keeps it alive; a lease past its expiry cannot be renewed, only reaped. */
    RENEW("agent (heartbeat)", WORKING, Set.of(WORKING),
            "status = 'WORKING' and lease_id = :lease and lease_expires >= :now"),
    /** After a restart, leases handed out before it get a full timeout to be renewed. */
    RESUME("server start", WORKING, Set.of(WORKING), "status = 'WORKING' and lease_id = :lease"),
    /** A cancel of a running build is a request its agent acts on (status unchanged). */
    CANCEL_REQUEST("user", WORKING, Set.of(WORKING), "status = 'WORKING'"),
    CANCEL_QUEUED("user", QUEUED, Set.of(CANCELLED), "status = 'QUEUED'"),
    /** queueTtl counts from entering the queue: a build waiting for approval is not queued yet (Cloud Build's PENDING). */
    EXPIRE("scheduler (queueTtl)", QUEUED, Set.of(EXPIRED),
            "status = 'QUEUED' and queue_ttl_ms is not null and coalesce(queued_time, create_time) + queue_ttl_ms < :now"),
    /** The lease holder reports the end: a build ends only through its current lease. */
    AGENT_END("agent (finish)", WORKING, Set.of(SUCCESS, FAILURE, TIMEOUT, CANCELLED, INTERNAL_ERROR),
            "status = 'WORKING' and lease_id = :lease"),
    /** The agent took the build and never called back: nothing ran, so it may run elsewhere. */
    REQUEUE("reaper", WORKING, Set.of(QUEUED),
            "status = 'WORKING' and lease_id = :lease and lease_expires < :now and lease_attempts + 1 < :max"),
    LOST("reaper", WORKING, Set.of(INTERNAL_ERROR), "status = 'WORKING' and lease_id = :lease and lease_expires < :now"),
    /** Past its timeout plus a grace, whatever its agent says: the agent may be alive but stuck. */
    OVERDUE("reaper", WORKING, Set.of(TIMEOUT),
            "status = 'WORKING' and lease_id = :lease and start_time + timeout_ms + :grace < :now"),
    /** The server stops with builds on its embedded agent. */
    ABANDON("server stop", WORKING, Set.of(INTERNAL_ERROR), "status = 'WORKING' and lease_id = :lease");

    public final String actor;
    public final Status from;
    public final Set<Status> to;
    final String guard;

    Transition(String actor, Status from, Set<Status> to, String guard) {
        this.actor = actor;
        this.from = from;
        this.to = to;
        this.guard = guard;
    }
}
