package dev.kiln.server.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.kiln.spec.json.Json;
import dev.kiln.spec.protocol.Status;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** The SQL for builds and their steps. Knows nothing of HTTP or agents. */
public final class BuildStore {
    private static final String OPEN = "('QUEUED','WORKING','PENDING')";

    private final Database db;
    private final Jdbi jdbi;

    public BuildStore(Database db) {
        this.db = db;
        this.jdbi = db.jdbi();
    }

    /** Inserts a build and its steps (all QUEUED), giving it the next sequence number. */
    public synchronized Build insert(Build b, List<String> stepIds) {
        Build stored = jdbi.inTransaction(h -> {
            long seq = h.createQuery("select coalesce(max(seq), 0) + 1 from builds").mapTo(Long.class).one();
            h.createUpdate("""
                    insert into builds (id, seq, status, status_detail, source_digest, config_path, substitutions, plan,
                      tags, labels, retry_of, create_time, timeout_ms, queue_ttl_ms, cancel_requested)
                    values (:id, :seq, :status, :detail, :digest, :config, :subs, :plan, :tags, :labels, :retryOf,
                      :created, :timeout, :ttl, false)""")
                    .bind("id", b.id()).bind("seq", seq).bind("status", b.status().name())
                    .bind("detail", b.statusDetail()).bind("digest", b.sourceDigest()).bind("config", b.configPath())
                    .bind("subs", json(b.substitutions())).bind("plan", b.planJson()).bind("tags", json(b.tags()))
                    .bind("labels", json(b.labels())).bind("retryOf", b.retryOf()).bind("created", b.createTime())
                    .bind("timeout", b.timeoutMillis()).bind("ttl", b.queueTtlMillis())
                    .execute();
            var batch = h.prepareBatch("insert into build_steps (build_id, idx, step_id, status) values (:b, :i, :s, 'QUEUED')");
            for (int i = 0; i < stepIds.size(); i++) {
                batch.bind("b", b.id()).bind("i", i).bind("s", stepIds.get(i)).add();
            }
            if (!stepIds.isEmpty()) {
                batch.execute();
            }
            return get(h, b.id()).orElseThrow();
        });
        jdbi.useHandle(db::durable);
        return stored;
    }

    public Optional<Build> get(String id) {
        return jdbi.withHandle(h -> get(h, id));
    }

    private Optional<Build> get(Handle h, String id) {
        return h.createQuery("select * from builds where id = :id").bind("id", id).map(BuildStore::build).findOne();
    }

    /** Newest first; {@code beforeSeq} pages back. */
    public List<Build> list(int limit, Long beforeSeq) {
        return jdbi.withHandle(h -> h.createQuery("select * from builds where seq < :before order by seq desc limit :limit")
                .bind("before", beforeSeq == null ? Long.MAX_VALUE : beforeSeq).bind("limit", limit)
                .map(BuildStore::build).list());
    }

    public List<StepRun> steps(String buildId) {
        return jdbi.withHandle(h -> h.createQuery("select * from build_steps where build_id = :b order by idx")
                .bind("b", buildId).map(BuildStore::step).list());
    }

    public List<Build> queued() {
        return jdbi.withHandle(h -> h.createQuery("select * from builds where status = 'QUEUED' order by seq")
                .map(BuildStore::build).list());
    }

    /** Moves a QUEUED build to WORKING under a lease; false if someone else took it first. */
    public boolean claim(String id, String agentId, String leaseId, long now, long leaseExpires) {
        return jdbi.withHandle(h -> h.createUpdate("""
                update builds set status = 'WORKING', agent_id = :agent, lease_id = :lease, lease_expires = :exp,
                  start_time = :now where id = :id and status = 'QUEUED'""")
                .bind("agent", agentId).bind("lease", leaseId).bind("exp", leaseExpires).bind("now", now)
                .bind("id", id).execute()) == 1;
    }

    /** Extends a held lease; false when the build is no longer WORKING under it. */
    public boolean renew(String id, String leaseId, long leaseExpires) {
        return jdbi.withHandle(h -> h.createUpdate(
                "update builds set lease_expires = :exp where id = :id and lease_id = :lease and status = 'WORKING'")
                .bind("exp", leaseExpires).bind("id", id).bind("lease", leaseId).execute()) == 1;
    }

    public void stepStarted(String buildId, int idx, long time) {
        jdbi.useHandle(h -> h.createUpdate("""
                update build_steps set status = 'WORKING', start_time = :t
                where build_id = :b and idx = :i and status = 'QUEUED'""")
                .bind("t", time).bind("b", buildId).bind("i", idx).execute());
    }

    /** Records how a step ended; a step already ended keeps its first result. */
    public void stepFinished(String buildId, int idx, Status status, Integer exitCode, Long start, long finish, String detail) {
        jdbi.useHandle(h -> h.createUpdate("""
                update build_steps set status = :s, exit_code = :x, start_time = coalesce(start_time, :st),
                  finish_time = :f, status_detail = :d
                where build_id = :b and idx = :i and status in ('QUEUED', 'WORKING')""")
                .bind("s", status.name()).bind("x", exitCode).bind("st", start).bind("f", finish)
                .bind("d", truncate(detail)).bind("b", buildId).bind("i", idx).execute());
    }

    /**
     * Ends an open build. With a {@code leaseId} only the holder of that lease may end it. Steps
     * still WORKING get {@code stepStatus}, steps never started become SKIPPED. False if it had ended already.
     */
    public boolean finish(String id, String leaseId, Status status, String detail, long time, Status stepStatus, String stepDetail) {
        boolean ended = jdbi.inTransaction(h -> {
            int n = h.createUpdate("update builds set status = :s, status_detail = :d, finish_time = :t, lease_id = null, "
                            + "lease_expires = null where id = :id and status in " + OPEN
                            + (leaseId != null ? " and lease_id = :lease" : ""))
                    .bind("s", status.name()).bind("d", truncate(detail)).bind("t", time).bind("id", id)
                    .bind("lease", leaseId).execute();
            if (n == 0) {
                return false;
            }
            h.createUpdate("""
                    update build_steps set status = :s, status_detail = :d, finish_time = :t
                    where build_id = :id and status = 'WORKING'""")
                    .bind("s", stepStatus.name()).bind("d", truncate(stepDetail)).bind("t", time).bind("id", id).execute();
            h.createUpdate("update build_steps set status = 'SKIPPED' where build_id = :id and status = 'QUEUED'")
                    .bind("id", id).execute();
            return true;
        });
        if (ended) {
            jdbi.useHandle(db::durable);
        }
        return ended;
    }

    /** Puts a WORKING build back in the queue, at most {@code maxLeases} leases in all; false if used up or ended. */
    public boolean requeue(String id, int maxLeases) {
        return jdbi.withHandle(h -> {
            boolean requeued = h.createUpdate("""
                    update builds set status = 'QUEUED', agent_id = null, lease_id = null, lease_expires = null,
                      start_time = null, lease_attempts = lease_attempts + 1
                    where id = :id and status = 'WORKING' and lease_attempts + 1 < :max""")
                    .bind("id", id).bind("max", maxLeases).execute() == 1;
            if (requeued) {
                db.durable(h);
            }
            return requeued;
        });
    }

    /** WORKING builds leased to {@code agentId}. */
    public List<Build> leasedTo(String agentId) {
        return jdbi.withHandle(h -> h.createQuery("select * from builds where status = 'WORKING' and agent_id = :a")
                .bind("a", agentId).map(BuildStore::build).list());
    }

    public void requestCancel(String id) {
        jdbi.useHandle(h -> h.createUpdate("update builds set cancel_requested = true where id = :id").bind("id", id).execute());
    }

    /** WORKING builds whose lease ran out before {@code now}. */
    public List<Build> leaseExpired(long now) {
        return jdbi.withHandle(h -> h.createQuery(
                "select * from builds where status = 'WORKING' and lease_expires < :now order by seq")
                .bind("now", now).map(BuildStore::build).list());
    }

    /** QUEUED builds that waited longer than their queueTtl. */
    public List<Build> queueExpired(long now) {
        return jdbi.withHandle(h -> h.createQuery(
                "select * from builds where status = 'QUEUED' and queue_ttl_ms is not null and create_time + queue_ttl_ms < :now")
                .bind("now", now).map(BuildStore::build).list());
    }

    private static Build build(ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx) throws SQLException {
        return new Build(rs.getString("id"), rs.getLong("seq"), Status.valueOf(rs.getString("status")),
                rs.getString("status_detail"), rs.getString("source_digest"), rs.getString("config_path"),
                read(rs.getString("substitutions"), new TypeReference<Map<String, String>>() {}),
                rs.getString("plan"),
                read(rs.getString("tags"), new TypeReference<List<String>>() {}),
                read(rs.getString("labels"), new TypeReference<List<String>>() {}),
                rs.getString("retry_of"), rs.getLong("create_time"), longOrNull(rs, "start_time"),
                longOrNull(rs, "finish_time"), rs.getLong("timeout_ms"), longOrNull(rs, "queue_ttl_ms"),
                rs.getString("agent_id"), rs.getString("lease_id"), longOrNull(rs, "lease_expires"),
                rs.getBoolean("cancel_requested"));
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

    private static String truncate(String s) {
        return s == null || s.length() <= 2000 ? s : s.substring(0, 1997) + "...";
    }

    private static String json(Object value) {
        try {
            return Json.MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static <T> T read(String text, TypeReference<T> type) {
        try {
            return Json.MAPPER.readValue(text, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
