package dev.kiln.server.notify;

import dev.kiln.server.store.Database;
import dev.kiln.spec.api.DeliveryView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.Lock;
import java.util.function.BiFunction;
import org.jdbi.v3.core.Jdbi;

/** The {@code notification_deliveries} and {@code notification_attempts} tables: what is owed to whom, and what came of it. */
final class DeliveryStore {
    static final String PENDING = "PENDING";
    static final String DELIVERED = "DELIVERED";
    static final String GAVE_UP = "GAVE_UP";

    /** A delivery whose next attempt is due: everything needed to send it again as it was first sent. */
    record Due(long id, long hookId, String event, String body, int attempts) {}

    /** A row of the deliveries' list, before its attempts join it. */
    private record Row(long id, long hookId, String url, String event, String repo, String state, Integer lastStatus,
                       String lastError, long createTime, Long nextTime) {}

    private final Jdbi jdbi;
    private final Lock read;
    private final Lock write;

    DeliveryStore(Database db) {
        this.jdbi = db.jdbi();
        this.read = db.visibility().readLock();
        this.write = db.visibility().writeLock();
    }

    /**
     * One pending delivery per hook, due {@code now}, in one transaction: all are owed or none.
     * {@code body} makes each hook's body from its delivery's id, which the body carries.
     */
    void enqueue(List<Hook> hooks, String event, String repo, long now, BiFunction<Hook, Long, String> body) {
        Database.under(write, () -> jdbi.inTransaction(h -> {
            for (Hook hook : hooks) {
                long id = h.createUpdate("""
                                insert into notification_deliveries (hook_id, event, repo, body, state, attempts, next_time, create_time)
                                values (:hook, :event, :repo, '', :state, 0, :now, :now)""")
                        .bind("hook", hook.id()).bind("event", event).bind("repo", repo).bind("state", PENDING).bind("now", now)
                        .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
                h.createUpdate("update notification_deliveries set body = :body where id = :id")
                        .bind("body", body.apply(hook, id)).bind("id", id).execute();
            }
            return null;
        }));
    }

    /** The pending deliveries due by {@code now}, oldest first, at most {@code max}. */
    List<Due> due(long now, int max) {
        return Database.under(read, () -> jdbi.withHandle(h -> h.createQuery("""
                        select id, hook_id, event, body, attempts from notification_deliveries
                        where state = :state and next_time <= :now order by next_time, id limit :max""")
                .bind("state", PENDING).bind("now", now).bind("max", max)
                .map((rs, ctx) -> new Due(rs.getLong("id"), rs.getLong("hook_id"), rs.getString("event"), rs.getString("body"),
                        rs.getInt("attempts")))
                .list()));
    }

    /** When the earliest pending delivery is due, if any is pending. */
    Optional<Long> nextDue() {
        return Database.under(read, () -> jdbi.withHandle(h -> h.createQuery(
                        "select min(next_time) from notification_deliveries where state = :state")
                .bind("state", PENDING).mapTo(Long.class).findOne()));
    }

    /**
     * Records attempt {@code attempt} made at {@code time} and what follows from it: {@code state},
     * and when pending, the next attempt's time.
     */
    void record(long id, int attempt, long time, Integer status, String error, String state, Long next) {
        Database.under(write, () -> jdbi.inTransaction(h -> {
            h.createUpdate("""
                            insert into notification_attempts (delivery_id, attempt, time, status, error)
                            values (:id, :attempt, :time, :status, :error)""")
                    .bind("id", id).bind("attempt", attempt).bind("time", time).bind("status", status)
                    .bind("error", cut(error)).execute();
            h.createUpdate("""
                            update notification_deliveries set attempts = :attempt, state = :state, next_time = :next,
                            last_status = :status, last_error = :error where id = :id""")
                    .bind("id", id).bind("attempt", attempt).bind("state", state).bind("next", next)
                    .bind("status", status).bind("error", cut(error)).execute();
            return null;
        }));
    }

    /** Ends a delivery that cannot be attempted (its hook is gone), saying why, without an attempt. */
    void giveUp(long id, String why) {
        Database.under(write, () -> jdbi.withHandle(h -> h.createUpdate(
                        "update notification_deliveries set state = :state, next_time = null, last_error = :why where id = :id")
                .bind("state", GAVE_UP).bind("why", why).bind("id", id).execute()));
    }

    /** Ends every pending delivery of {@code hookId}, saying why. */
    void giveUpHook(long hookId, String why) {
        Database.under(write, () -> jdbi.withHandle(h -> h.createUpdate("""
                        update notification_deliveries set state = :gave, next_time = null, last_error = :why
                        where hook_id = :hook and state = :pending""")
                .bind("gave", GAVE_UP).bind("why", why).bind("hook", hookId).bind("pending", PENDING).execute()));
    }

    /** The newest {@code limit} deliveries, newest first, each with its attempts in order. */
    List<DeliveryView> recent(int limit) {
        return Database.under(read, () -> jdbi.withHandle(h -> {
            Map<Long, List<DeliveryView.Attempt>> attempts = new LinkedHashMap<>();
            List<Row> rows = h.createQuery("""
                            select d.id, d.hook_id, k.url, d.event, d.repo, d.state, d.last_status, d.last_error, d.create_time,
                                   d.next_time
                            from notification_deliveries d left join notification_hooks k on k.id = d.hook_id
                            order by d.id desc limit :limit""")
                    .bind("limit", limit)
                    .map((rs, ctx) -> new Row(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5),
                            rs.getString(6), rs.getObject(7, Integer.class), rs.getString(8), rs.getLong(9),
                            rs.getObject(10, Long.class)))
                    .list();
            if (rows.isEmpty()) {
                return List.of();
            }
            h.createQuery("""
                            select delivery_id, attempt, time, status, error from notification_attempts
                            where delivery_id in (<ids>) order by delivery_id, attempt""")
                    .bindList("ids", rows.stream().map(Row::id).toList())
                    .map((rs, ctx) -> Map.entry(rs.getLong(1), new DeliveryView.Attempt(rs.getInt(2),
                            Instant.ofEpochMilli(rs.getLong(3)), rs.getObject(4, Integer.class), rs.getString(5))))
                    .forEach(e -> attempts.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
            return rows.stream().map(r -> new DeliveryView(r.id(), r.hookId(), r.url(), r.event(), r.repo(), r.state(),
                    r.lastStatus(), r.lastError(), Instant.ofEpochMilli(r.createTime()),
                    r.nextTime() == null ? null : Instant.ofEpochMilli(r.nextTime()),
                    List.copyOf(attempts.getOrDefault(r.id(), List.of())))).toList();
        }));
    }

    private static String cut(String s) {
        return s == null || s.length() <= 500 ? s : s.substring(0, 497) + "...";
    }
}
