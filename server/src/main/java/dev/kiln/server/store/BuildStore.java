package dev.kiln.server.store;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.kiln.spec.json.Json;
import dev.kiln.spec.protocol.Status;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.Lock;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;

/**
 * The SQL for builds and their steps. Knows nothing of HTTP or agents. Every status change is one
 * of the {@link Transition}s, applied as a compare-and-set on its guard. Writes and reads go
 * through {@link Database#visibility()}, so that nothing is read before it is on disk.
 */
public final class BuildStore {
    private final Jdbi jdbi;
    private final Lock read;
    private final Lock write;

    public BuildStore(Database db) {
        this.jdbi = db.jdbi();
        this.read = db.visibility().readLock();
        this.write = db.visibility().writeLock();
    }

    private <T> T reading(HandleCallback<T, RuntimeException> query) {
        return under(read, () -> jdbi.withHandle(query));
    }

    private <T> T writing(HandleCallback<T, RuntimeException> update) {
        return under(write, () -> jdbi.inTransaction(update));
    }

    private static <T> T under(Lock lock, java.util.function.Supplier<T> work) {
        lock.lock();
        try {
            return work.get();
        } finally {
            lock.unlock();
        }
    }

    /** Inserts a build (QUEUED, or PENDING for approval) and its steps (all QUEUED), giving it the next sequence number. */
    public Build insert(Build b, List<String> stepIds) {
        return writing(h -> {
            long seq = h.createQuery("select coalesce(max(seq), 0) + 1 from builds").mapTo(Long.class).one();
            h.createUpdate("""
                    insert into builds (id, seq, status, status_detail, source_digest, config_path, substitutions, plan,
                      tags, labels, retry_of, create_time, timeout_ms, queue_ttl_ms, cancel_requested,
                      repo, ref, commit_sha, commit_author, commit_message, trigger_name, cause, ref_update_id, cause_detail,
                      trigger_facts)
                    values (:id, :seq, :status, :detail, :digest, :config, :subs, :plan, :tags, :labels, :retryOf,
                      :created, :timeout, :ttl, false,
                      :repo, :ref, :commit, :author, :message, :trigger, :cause, :refUpdate, :causeDetail,
                      :facts)""")
                    .bind("id", b.id()).bind("seq", seq).bind("status", b.status().name())
                    .bind("detail", b.statusDetail()).bind("digest", b.sourceDigest()).bind("config", b.configPath())
                    .bind("subs", Json.write(b.substitutions())).bind("plan", b.planJson()).bind("tags", Json.write(b.tags()))
                    .bind("labels", Json.write(b.labels())).bind("retryOf", b.retryOf()).bind("created", b.createTime())
                    .bind("timeout", b.timeoutMillis()).bind("ttl", b.queueTtlMillis())
                    .bind("repo", b.provenance().repo()).bind("ref", b.provenance().ref())
                    .bind("commit", b.provenance().commitSha()).bind("author", truncate(b.provenance().author()))
                    .bind("message", truncate(b.provenance().message())).bind("trigger", b.provenance().trigger())
                    .bind("cause", b.provenance().cause().wire()).bind("refUpdate", b.provenance().refUpdateId())
                    .bind("causeDetail", truncate(b.causeDetail()))
                    .bind("facts", b.provenance().facts().isEmpty() ? null : Json.write(b.provenance().facts())).execute();
            var batch = h.prepareBatch("insert into build_steps (build_id, idx, step_id, status) values (:b, :i, :s, 'QUEUED')");
            for (int i = 0; i < stepIds.size(); i++) {
                batch.bind("b", b.id()).bind("i", i).bind("s", stepIds.get(i)).add();
            }
            if (!stepIds.isEmpty()) {
                batch.execute();
            }
            return get(h, b.id()).orElseThrow();
        });
    }

    public Optional<Build> get(String id) {
        return reading(h -> get(h, id));
    }

    private Optional<Build> get(Handle h, String id) {
        return h.createQuery("select * from builds where id = :id").bind("id", id).map(BuildStore::build).findOne();
    }

    /** Newest first; {@code beforeSeq} pages back. */
    public List<Build> list(int limit, Long beforeSeq) {
        return list(limit, beforeSeq, Filter.NONE);
    }

    /** What {@link #list(int, Long, Filter)} keeps; a null field keeps every build. {@code ref} is a full ref name. */
    public record Filter(String repo, String ref, String trigger, Status status) {
        public static final Filter NONE = new Filter(null, null, null, null);
    }

    /** Newest first, only the builds {@code filter} keeps; {@code beforeSeq} pages back. */
    public List<Build> list(int limit, Long beforeSeq, Filter filter) {
        // Only the conditions asked for: PostgreSQL cannot type a bare "null is null" parameter.
        StringBuilder where = new StringBuilder("seq < :before");
        Map<String, Object> binds = new java.util.LinkedHashMap<>();
        binds.put("before", beforeSeq == null ? Long.MAX_VALUE : beforeSeq);
        binds.put("limit", limit);
        for (var c : new String[][] {{"repo", filter.repo()}, {"ref", filter.ref()}, {"trigger_name", filter.trigger()},
                {"status", filter.status() == null ? null : filter.status().name()}}) {
            if (c[1] != null) {
                where.append(" and ").append(c[0]).append(" = :").append(c[0]);
                binds.put(c[0], c[1]);
            }
        }
        return reading(h -> {
            var q = h.createQuery("select * from builds where " + where + " order by seq desc limit :limit");
            binds.forEach(q::bind);
            return q.map(BuildStore::build).list();
        });
    }

    /** How many builds there are of each status (statuses with none are left out). */
    public Map<Status, Long> countByStatus() {
        return reading(h -> {
            Map<Status, Long> counts = new java.util.EnumMap<>(Status.class);
            h.createQuery("select status, count(*) as n from builds group by status")
                    .map((rs, c) -> Map.entry(Status.valueOf(rs.getString("status")), rs.getLong("n")))
                    .forEach(e -> counts.put(e.getKey(), e.getValue()));
            return counts;
        });
    }

    /** Whether the ref update {@code refUpdateId} already has a build of {@code trigger} (it was processed before a crash). */
    public boolean builtFor(long refUpdateId, String trigger) {
        return reading(h -> h.createQuery("select count(*) from builds where ref_update_id = :u and trigger_name = :t")
                .bind("u", refUpdateId).bind("t", trigger).mapTo(Integer.class).one()) > 0;
    }

    public List<StepRun> steps(String buildId) {
        return reading(h -> steps(h, buildId));
    }

    /** One step's row: for a follower that re-reads only the step that changed. */
    public Optional<StepRun> stepRun(String buildId, int index) {
        return reading(h -> h.createQuery("select * from build_steps where build_id = :b and idx = :i")
                .bind("b", buildId).bind("i", index).map(BuildStore::step).findOne());
    }

    private static List<StepRun> steps(Handle h, String buildId) {
        return h.createQuery("select * from build_steps where build_id = :b order by idx")
                .bind("b", buildId).map(BuildStore::step).list();
    }

    /** Whether any build, of any status, uses the source archive {@code digest}. */
    public boolean usesSource(String digest) {
        return reading(h -> h.createQuery("select count(*) from builds where source_digest = :d")
                .bind("d", digest).mapTo(Long.class).one()) > 0;
    }

    /**
     * Marks a build as kept (or no longer): retention never removes a kept build. False if there is
     * no such build.
     */
    public boolean keep(String id, boolean kept) {
        return writing(h -> h.createUpdate("update builds set kept = :k where id = :id")
                .bind("k", kept).bind("id", id).execute()) == 1;
    }

    /** Whether the build is kept; false for an unknown one. */
    public boolean kept(String id) {
        return reading(h -> h.createQuery("select kept from builds where id = :id").bind("id", id)
                .mapTo(Boolean.class).findOne().orElse(false));
    }

    public List<Build> queued() {
        return reading(h -> h.createQuery("select * from builds where status = 'QUEUED' order by seq")
                .map(BuildStore::build).list());
    }

    /**
     * {@link Transition#CLAIM}: a QUEUED build goes WORKING under a new lease, and what it waited for
     * is no longer its detail; false if another agent took it first.
     */
    public boolean claim(String id, String agentId, String leaseId, long now, long leaseExpires) {
        return writing(h -> h.createUpdate("update builds set status = 'WORKING', status_detail = null, agent_id = :agent,"
                        + " lease_id = :newLease, lease_expires = :exp, start_time = :now where id = :id and " + Transition.CLAIM.guard)
                .bind("agent", agentId).bind("newLease", leaseId).bind("exp", leaseExpires).bind("now", now)
                .bind("id", id).execute()) == 1;
    }

    /**
     * {@link Transition#APPROVE}: a PENDING build enters the queue now, with {@code detail} (what it
     * waits for, or null) and the approval recorded; false if it was decided or cancelled first.
     */
    public boolean approve(String id, Approval approval, String detail) {
        return writing(h -> h.createUpdate("update builds set status = 'QUEUED', status_detail = :detail,"
                        + " queued_time = :t, approval_decision = 'APPROVED', approver = :who, approval_time = :t,"
                        + " approval_comment = :c where id = :id and " + Transition.APPROVE.guard)
                .bind("detail", detail).bind("t", approval.time()).bind("who", approval.approver())
                .bind("c", truncate(approval.comment())).bind("id", id).execute()) == 1;
    }

    /**
     * {@link Transition#REJECT}: a PENDING build ends CANCELLED with {@code detail}, its steps
     * SKIPPED and the rejection recorded, in one transaction; false if it was decided or cancelled first.
     */
    public boolean reject(String id, Approval approval, String detail) {
        return writing(h -> {
            int n = h.createUpdate("update builds set status = 'CANCELLED', status_detail = :detail, finish_time = :t,"
                            + " approval_decision = 'REJECTED', approver = :who, approval_time = :t, approval_comment = :c"
                            + " where id = :id and " + Transition.REJECT.guard)
                    .bind("detail", truncate(detail)).bind("t", approval.time()).bind("who", approval.approver())
                    .bind("c", truncate(approval.comment())).bind("id", id).execute();
            if (n == 1) {
                h.createUpdate("update build_steps set status = 'SKIPPED' where build_id = :id and status = 'QUEUED'")
                        .bind("id", id).execute();
            }
            return n == 1;
        });
    }

    /** {@link Transition#RENEW}: extends a lease that has not yet expired; false when it is gone. */
    public boolean renew(String id, String leaseId, long now, long leaseExpires) {
        return writing(h -> h.createUpdate("update builds set lease_expires = :exp where id = :id and " + Transition.RENEW.guard)
                .bind("exp", leaseExpires).bind("id", id).bind("lease", leaseId).bind("now", now).execute()) == 1;
    }

    /** {@link Transition#RESUME}: after a restart, a lease from before it may be renewed until {@code leaseExpires}. */
    public boolean resume(String id, String leaseId, long leaseExpires) {
        return writing(h -> h.createUpdate("update builds set lease_expires = greatest(coalesce(lease_expires, 0), :exp)"
                        + " where id = :id and " + Transition.RESUME.guard)
                .bind("exp", leaseExpires).bind("id", id).bind("lease", leaseId).execute()) == 1;
    }

    /** True if the step moved (from QUEUED); keep {@link StepRun#started} in step with this guard. */
    public boolean stepStarted(String buildId, int idx, long time) {
        return writing(h -> h.createUpdate("""
                update build_steps set status = 'WORKING', start_time = :t
                where build_id = :b and idx = :i and status = 'QUEUED'""")
                .bind("t", time).bind("b", buildId).bind("i", idx).execute()) == 1;
    }

    /**
     * Records how a step ended; a step already ended keeps its first result. True if it moved; keep
     * {@link StepRun#finished} in step with this guard.
     */
    public boolean stepFinished(String buildId, int idx, Status status, Integer exitCode, Long start, long finish, String detail) {
        return writing(h -> h.createUpdate("""
                update build_steps set status = :s, exit_code = :x, start_time = coalesce(start_time, :st),
                  finish_time = :f, status_detail = :d
                where build_id = :b and idx = :i and status in ('QUEUED', 'WORKING')""")
                .bind("s", status.name()).bind("x", exitCode).bind("st", start).bind("f", finish)
                .bind("d", truncate(detail)).bind("b", buildId).bind("i", idx).execute()) == 1;
    }

    /** How a build ends: its status and detail, and what its running steps become. */
    public record End(Status status, String detail, Status stepStatus, String stepDetail) {}

    /**
     * Applies one of the ending {@link Transition}s if its guard still holds: steps still WORKING
     * get the end's step status, steps never started become SKIPPED. Returns the steps that were
     * running when it ended, or empty if the guard did not hold (another actor moved first).
     * {@code binds} fills the guard's parameters ({@code lease}, {@code now}, {@code grace}).
     */
    public Optional<List<StepRun>> end(String id, Transition t, Map<String, Object> binds, End end, long time) {
        return end(id, t, binds, end, time, running -> { });
    }

    /**
     * The same, running {@code beforeCommit} with the steps that were running once the guard has held,
     * before the end is committed and so before any reader can see it (what must be in place by then,
     * such as a notice at the end of their logs). An exception it throws rolls the end back.
     */
    public Optional<List<StepRun>> end(String id, Transition t, Map<String, Object> binds, End end, long time,
                                       java.util.function.Consumer<List<StepRun>> beforeCommit) {
        if (!t.to.contains(end.status()) || !end.status().isFinal()) {
            throw new IllegalArgumentException(t + " cannot end a build " + end.status());
        }
        return writing(h -> {
            List<StepRun> running = steps(h, id).stream().filter(s -> s.status() == Status.WORKING).toList();
            var update = h.createUpdate("update builds set status = :s, status_detail = :d, finish_time = :t, lease_id = null, "
                            + "lease_expires = null where id = :id and " + t.guard)
                    .bind("s", end.status().name()).bind("d", truncate(end.detail())).bind("t", time).bind("id", id);
            binds.forEach(update::bind);
            if (update.execute() == 0) {
                return Optional.<List<StepRun>>empty();
            }
            h.createUpdate("""
                    update build_steps set status = :s, status_detail = :d, finish_time = :t
                    where build_id = :id and status = 'WORKING'""")
                    .bind("s", end.stepStatus().name()).bind("d", truncate(end.stepDetail())).bind("t", time)
                    .bind("id", id).execute();
            h.createUpdate("update build_steps set status = 'SKIPPED' where build_id = :id and status = 'QUEUED'")
                    .bind("id", id).execute();
            beforeCommit.accept(running);
            return Optional.of(running);
        });
    }

    /**
     * {@link Transition#REQUEUE}, at most {@code maxLeases} leases in all, queued again with
     * {@code detail} (what it waits for, or null); false if its guard no longer holds.
     */
    public boolean requeue(String id, String leaseId, long now, int maxLeases, String detail) {
        return writing(h -> h.createUpdate("""
                        update builds set status = 'QUEUED', status_detail = :detail, agent_id = null, lease_id = null,
                          lease_expires = null, start_time = null, lease_attempts = lease_attempts + 1
                        where id = :id and\s""" + Transition.REQUEUE.guard)
                .bind("id", id).bind("lease", leaseId).bind("now", now).bind("max", maxLeases)
                .bind("detail", detail).execute()) == 1;
    }

    /** {@link Transition#CANCEL_REQUEST}; false if the build is not WORKING. */
    public boolean requestCancel(String id) {
        return writing(h -> h.createUpdate("update builds set cancel_requested = true where id = :id and "
                + Transition.CANCEL_REQUEST.guard).bind("id", id).execute()) == 1;
    }

    /** WORKING builds leased to {@code agentId}. */
    public List<Build> leasedTo(String agentId) {
        return reading(h -> h.createQuery("select * from builds where status = 'WORKING' and agent_id = :a")
                .bind("a", agentId).map(BuildStore::build).list());
    }

    /** Every WORKING build (after a restart: the leases handed out before it). */
    public List<Build> working() {
        return reading(h -> h.createQuery("select * from builds where status = 'WORKING' order by seq")
                .map(BuildStore::build).list());
    }

    /** WORKING builds whose lease ran out before {@code now}. */
    public List<Build> leaseExpired(long now) {
        return reading(h -> h.createQuery(
                "select * from builds where status = 'WORKING' and lease_expires < :now order by seq")
                .bind("now", now).map(BuildStore::build).list());
    }

    /** WORKING builds past their timeout by more than {@code graceMillis}. */
    public List<Build> overdue(long now, long graceMillis) {
        return reading(h -> h.createQuery(
                "select * from builds where status = 'WORKING' and start_time + timeout_ms + :grace < :now order by seq")
                .bind("now", now).bind("grace", graceMillis).map(BuildStore::build).list());
    }

    /** QUEUED builds that waited longer than their queueTtl. */
    public List<Build> queueExpired(long now) {
        return reading(h -> h.createQuery("select * from builds where " + Transition.EXPIRE.guard)
                .bind("now", now).map(BuildStore::build).list());
    }

    private static Build build(ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx) throws SQLException {
        return new Build(rs.getString("id"), rs.getLong("seq"), Status.valueOf(rs.getString("status")),
                rs.getString("status_detail"), rs.getString("source_digest"), rs.getString("config_path"),
                Json.read(rs.getString("substitutions"), new TypeReference<Map<String, String>>() {}),
                rs.getString("plan"),
                Json.read(rs.getString("tags"), new TypeReference<List<String>>() {}),
                Json.read(rs.getString("labels"), new TypeReference<List<String>>() {}),
                rs.getString("retry_of"), rs.getLong("create_time"), longOrNull(rs, "start_time"),
                longOrNull(rs, "finish_time"), rs.getLong("timeout_ms"), longOrNull(rs, "queue_ttl_ms"),
                rs.getString("agent_id"), rs.getString("lease_id"), longOrNull(rs, "lease_expires"),
                rs.getBoolean("cancel_requested"),
                new Provenance(rs.getString("repo"), rs.getString("ref"), rs.getString("commit_sha"),
                        rs.getString("commit_author"), rs.getString("commit_message"), rs.getString("trigger_name"),
                        Provenance.Cause.ofWire(rs.getString("cause")), longOrNull(rs, "ref_update_id"),
                        rs.getString("trigger_facts") == null ? Map.of()
                                : Json.read(rs.getString("trigger_facts"), new TypeReference<Map<String, String>>() {})),
                longOrNull(rs, "queued_time"), rs.getString("cause_detail"), approval(rs));
    }

    private static Approval approval(ResultSet rs) throws SQLException {
        String decision = rs.getString("approval_decision");
        return decision == null ? null : new Approval(Approval.Decision.valueOf(decision), rs.getString("approver"),
                rs.getLong("approval_time"), rs.getString("approval_comment"));
    }

    private static StepRun step(ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx) throws SQLException {
        Integer exit = rs.getInt("exit_code");
        if (rs.wasNull()) {
            exit = null;
        }
        return new StepRun(rs.getString("build_id"), rs.getInt("idx"), rs.getString("step_id"),
                Status.valueOf(rs.getString("status")), rs.getString("status_detail"), exit,
                longOrNull(rs, "start_time"), longOrNull(rs, "finish_time"));
    }

    private static Long longOrNull(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    static String truncate(String s) {
        return s == null || s.length() <= 2000 ? s : s.substring(0, 1997) + "...";
    }
}
