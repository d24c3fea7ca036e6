package dev.kiln.server.promotion;

import dev.kiln.server.access.Role;
import dev.kiln.server.store.Database;
import dev.kiln.spec.promotion.Gate;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.Lock;
import org.jdbi.v3.core.Jdbi;

/** The promotion policy of each repo: at most one, replaced whole. */
public final class Policies {
    private final Jdbi jdbi;
    private final Lock read;
    private final Lock write;

    public Policies(Database db) {
        this.jdbi = db.jdbi();
        this.read = db.visibility().readLock();
        this.write = db.visibility().writeLock();
    }

    public Optional<PromotionPolicy> get(String repo) {
        return Database.under(read, () -> jdbi.withHandle(h -> h.createQuery(
                        "select * from promotion_policies where repo = :r").bind("r", repo)
                .map((rs, ctx) -> policy(rs)).findOne()));
    }

    /** Sets {@code p} as its repo's policy, replacing any earlier one. */
    public void put(PromotionPolicy p) {
        Database.under(write, () -> jdbi.inTransaction(h -> {
            h.createUpdate("delete from promotion_policies where repo = :r").bind("r", p.repo()).execute();
            h.createUpdate("""
                    insert into promotion_policies (repo, source_branch, target_branch, require_approval, approvals,
                        approver_role, prevent_self_approval, expires_ms, gates, update_time, updated_by)
                    values (:repo, :from, :to, :req, :n, :role, :self, :exp, :gates, :now, :by)""")
                    .bind("repo", p.repo()).bind("from", p.from()).bind("to", p.to()).bind("req", p.requireApproval())
                    .bind("n", p.approvals()).bind("role", p.approverRole().name()).bind("self", p.preventSelfApproval())
                    .bind("exp", p.expires().toMillis())
                    .bind("gates", String.join("\n", p.gates().stream().map(Gate::text).toList()))
                    .bind("now", p.updateTime()).bind("by", p.updatedBy()).execute();
            return null;
        }));
    }

    /** Removes {@code repo}'s policy; false when it had none. */
    public boolean remove(String repo) {
        return Database.under(write, () -> jdbi.withHandle(h -> h.createUpdate(
                "delete from promotion_policies where repo = :r").bind("r", repo).execute())) > 0;
    }

    private static PromotionPolicy policy(ResultSet rs) throws SQLException {
        String gates = rs.getString("gates");
        List<Gate> parsed = gates.isEmpty() ? List.of() : Arrays.stream(gates.split("\n")).map(Gate::parse).toList();
        return new PromotionPolicy(rs.getString("repo"), rs.getString("source_branch"), rs.getString("target_branch"),
                rs.getBoolean("require_approval"), rs.getInt("approvals"), Role.valueOf(rs.getString("approver_role")),
                rs.getBoolean("prevent_self_approval"), Duration.ofMillis(rs.getLong("expires_ms")), parsed,
                rs.getLong("update_time"), rs.getString("updated_by"));
    }
}
