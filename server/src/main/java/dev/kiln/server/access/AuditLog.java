package dev.kiln.server.access;

import dev.kiln.server.store.Database;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

/**
 * Who did what, when, from where: sign-ins (failed ones too), tokens, users and roles, secrets
 * (never a value), trigger runs, cancels, approvals. Append-only: this class inserts and reads,
 * nothing else in the server touches the table.
 */
public final class AuditLog {
    public record Entry(long seq, long time, String actor, String action, String target, String detail, String address) {}

    private final Jdbi jdbi;
    private final Clock clock;

    public AuditLog(Database db, Clock clock) {
        this.jdbi = db.jdbi();
        this.clock = clock;
    }

    /** Records {@code action} on {@code target} by whoever the guard accepted for {@code ctx}. */
    public void record(Context ctx, String action, String target, String detail) {
        Principal who = AccessGuard.principal(ctx);
        record(who == null ? "anonymous" : who.name(), action, target, detail, address(ctx));
    }

    public void record(String actor, String action, String target, String detail, String address) {
        jdbi.useHandle(h -> h.createUpdate("""
                        insert into audit_log (time, actor, action, target, detail, address)
                        values (:time, :actor, :action, :target, :detail, :address)""")
                .bind("time", clock.millis()).bind("actor", cut(actor, 200)).bind("action", cut(action, 64))
                .bind("target", cut(target, 500)).bind("detail", cut(detail, 2000)).bind("address", cut(address, 100))
                .execute());
    }

    /** Newest first: at most {@code limit} entries older than {@code before} (a seq; null: the newest). */
    public List<Entry> list(int limit, Long before, String action) {
        // Conditions are added only when given: PostgreSQL cannot type a null parameter in ":x is null".
        String sql = "select seq, time, actor, action, target, detail, address from audit_log where 1 = 1"
                + (before == null ? "" : " and seq < :before") + (action == null ? "" : " and action = :action")
                + " order by seq desc limit :limit";
        return jdbi.withHandle(h -> {
            var q = h.createQuery(sql).bind("limit", limit);
            if (before != null) {
                q.bind("before", before);
            }
            if (action != null) {
                q.bind("action", action);
            }
            return q
                .map((rs, c) -> new Entry(rs.getLong("seq"), rs.getLong("time"), rs.getString("actor"),
                        rs.getString("action"), rs.getString("target"), rs.getString("detail"), rs.getString("address")))
                    .list();
        });
    }

    /** The client's address as the server saw it (no proxy header is trusted). */
    public static String address(Context ctx) {
        try {
            return ctx.req().getRemoteAddr();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String cut(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
