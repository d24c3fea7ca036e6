package dev.kiln.server.promotion;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.kiln.server.access.Role;
import dev.kiln.server.git.Refusal;
import dev.kiln.server.store.Database;
import dev.kiln.spec.api.ArtifactDigest;
import dev.kiln.spec.api.DecisionView;
import dev.kiln.spec.api.GateView;
import dev.kiln.spec.json.Json;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.Lock;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Promotions and their decisions. Every change of state is a compare-and-set on the promotion's row,
 * taken with the row locked, so two approvers at once, an approver and the expiry sweep, or an
 * approver and a newer build cannot both move one promotion: one wins, the other is told.
 */
public final class PromotionStore {
    static final TypeReference<List<GateView>> GATES = new TypeReference<>() {};
    static final TypeReference<Map<String, Double>> METRICS = new TypeReference<>() {};
    static final TypeReference<List<ArtifactDigest>> ARTIFACTS = new TypeReference<>() {};
    static final TypeReference<List<DecisionView>> DECISIONS = new TypeReference<>() {};

    private final Jdbi jdbi;
    private final Lock read;
    private final Lock write;

    public PromotionStore(Database db) {
        this.jdbi = db.jdbi();
        this.read = db.visibility().readLock();
        this.write = db.visibility().writeLock();
    }

    /** The outcome of an approval: whether it was recorded, and whether it completed the approvals needed. */
    public record Approved(Promotion promotion, boolean quorum) {}

    public void insert(Promotion p) {
        Database.under(write, () -> jdbi.withHandle(h -> h.createUpdate("""
                        insert into promotions (id, repo, kind, source_branch, target_branch, commit_sha, build_id,
                            rollback_to, state, state_detail, gates, production_version, metrics, metrics_digest,
                            artifacts, artifacts_digest, approvals_needed, approver_role, prevent_self_approval, author,
                            submitter, target_old_sha, create_time, update_time, expire_time)
                        values (:id, :repo, :kind, :from, :to, :sha, :build, :rollback, :state, :detail, :gates, :prod,
                            :metrics, :md, :artifacts, :ad, :n, :role, :self, :author, :submitter, :old, :now, :now, :exp)""")
                .bind("id", p.id()).bind("repo", p.repo()).bind("kind", p.kind().name()).bind("from", p.from())
                .bind("to", p.to()).bind("sha", p.commitSha()).bind("build", p.buildId()).bind("rollback", p.rollbackTo())
                .bind("state", p.state().name()).bind("detail", clip(p.detail())).bind("gates", Json.write(p.gates()))
                .bind("prod", p.productionVersion()).bind("metrics", Json.write(p.metrics()))
                .bind("md", p.metricsDigest()).bind("artifacts", Json.write(p.artifacts()))
                .bind("ad", p.artifactsDigest()).bind("n", p.approvalsNeeded()).bind("role", p.approverRole().name())
                .bind("self", p.preventSelfApproval()).bind("author", clip(p.author())).bind("submitter", p.submitter())
                .bind("old", p.targetOldSha())
                .bind("now", p.createTime()).bind("exp", p.expireTime()).execute()));
    }

    public Optional<Promotion> get(String id) {
        return Database.under(read, () -> jdbi.withHandle(h -> find(h, id, false)));
    }

    /** The newest promotions first, of {@code repo} and in {@code state} when given. */
    public List<Promotion> list(String repo, Promotion.State state, int limit) {
        return Database.under(read, () -> jdbi.withHandle(h -> h.createQuery("select * from promotions where 1 = 1"
                        + (repo != null ? " and repo = :repo" : "") + (state != null ? " and state = :state" : "")
                        + " order by seq desc limit :limit")
                .bind("repo", repo).bind("state", state == null ? null : state.name()).bind("limit", limit)
                .map((rs, ctx) -> promotion(rs)).list()));
    }

    /** The promotions build {@code buildId} is the candidate or the production build of, newest first. */
    public List<Promotion> forBuild(String buildId) {
        return Database.under(read, () -> jdbi.withHandle(h -> h.createQuery(
                        "select * from promotions where build_id = :b or prod_build_id = :b order by seq desc limit 20")
                .bind("b", buildId).map((rs, ctx) -> promotion(rs)).list()));
    }

    /** Promotions of {@code repo} in {@code state}, oldest first. */
    public List<Promotion> inState(String repo, Promotion.State state) {
        return Database.under(read, () -> jdbi.withHandle(h -> h.createQuery(
                        "select * from promotions where repo = :repo and state = :state order by seq")
                .bind("repo", repo).bind("state", state.name()).map((rs, ctx) -> promotion(rs)).list()));
    }

    /** Open promotions whose time ran out at {@code now}. */
    public List<Promotion> expiredBy(long now) {
        return Database.under(read, () -> jdbi.withHandle(h -> h.createQuery(
                        "select * from promotions where state = 'AWAITING_APPROVAL' and expire_time <= :now order by seq")
                .bind("now", now).map((rs, ctx) -> promotion(rs)).list()));
    }

    /** The promotion in {@code PROMOTING} that moved {@code repo}'s {@code target} to {@code commit}, if any. */
    public Optional<Promotion> promoting(String repo, String target, String commit) {
        return Database.under(read, () -> jdbi.withHandle(h -> h.createQuery("""
                        select * from promotions where repo = :repo and target_branch = :to and commit_sha = :sha
                        and state = 'PROMOTING' order by seq desc limit 1""")
                .bind("repo", repo).bind("to", target).bind("sha", commit).map((rs, ctx) -> promotion(rs)).findOne()));
    }

    /** The model version promotion {@code id} added, if it added one. */
    public Optional<Integer> versionOf(String id) {
        return Database.under(read, () -> jdbi.withHandle(h -> h.createQuery(
                "select version from model_versions where promotion_id = :id").bind("id", id).mapTo(Integer.class).findOne()));
    }

    public List<DecisionView> decisions(String id) {
        return Database.under(read, () -> jdbi.withHandle(h -> decisions(h, id)));
    }

    /**
     * Moves promotion {@code id} from {@code from} to {@code to}, saying why; empty when it was not in
     * {@code from} any more (another change came first).
     */
    public Optional<Promotion> move(String id, Promotion.State from, Promotion.State to, String detail, long now) {
        return Database.under(write, () -> jdbi.inTransaction(h -> {
            int n = h.createUpdate("""
                            update promotions set state = :to, state_detail = :detail, update_time = :now
                            where id = :id and state = :from""")
                    .bind("to", to.name()).bind("detail", clip(detail)).bind("now", now).bind("id", id)
                    .bind("from", from.name()).execute();
            return n == 1 ? find(h, id, false) : Optional.<Promotion>empty();
        }));
    }

    /** Records where the target branch stood when it was moved, and the build the move started. */
    public void moved(String id, String targetOldSha, String prodBuildId, String detail, long now) {
        Database.under(write, () -> jdbi.withHandle(h -> h.createUpdate("""
                        update promotions set target_old_sha = :old, prod_build_id = coalesce(:build, prod_build_id),
                            state_detail = case when state = 'PROMOTING' then :detail else state_detail end,
                            update_time = :now where id = :id""")
                .bind("old", targetOldSha).bind("build", prodBuildId).bind("detail", clip(detail)).bind("now", now)
                .bind("id", id).execute()));
    }

    /**
     * Records {@code user}'s approval of {@code id} while it awaits approval, and moves it to
     * {@code PROMOTING} when it completes the approvals needed. A 409 when it no longer awaits one
     * (the winner of two approvals at once moved it) or {@code user} approved it already.
     */
    public Approved approve(String id, String user, String comment, long now) {
        return Database.under(write, () -> jdbi.inTransaction(h -> {
            Promotion p = find(h, id, true).orElseThrow(() -> Refusal.notFound("no promotion " + id));
            if (p.state() != Promotion.State.AWAITING_APPROVAL) {
                throw Refusal.conflict("promotion " + id + " is " + p.state() + ", not awaiting approval"
                        + (p.detail() != null ? ": " + p.detail() : ""));
            }
            if (decided(h, id, user)) {
                throw Refusal.conflict(user + " already decided on promotion " + id + "; another approver must approve");
            }
            decide(h, id, user, "APPROVE", comment, now);
            int approvals = h.createQuery("select count(*) from promotion_decisions where promotion_id = :id"
                    + " and verdict = 'APPROVE'").bind("id", id).mapTo(Integer.class).one();
            if (approvals < p.approvalsNeeded()) {
                h.createUpdate("update promotions set update_time = :now, state_detail = :d where id = :id")
                        .bind("now", now).bind("id", id)
                        .bind("d", approvals + " of " + p.approvalsNeeded() + " approvals").execute();
                return new Approved(find(h, id, false).orElseThrow(), false);
            }
            h.createUpdate("update promotions set state = 'PROMOTING', state_detail = :d, update_time = :now where id = :id")
                    .bind("d", "approved by " + user + "; moving " + p.to()).bind("now", now).bind("id", id).execute();
            return new Approved(find(h, id, false).orElseThrow(), true);
        }));
    }

    /** Records {@code user}'s rejection of {@code id} and ends it REJECTED; a 409 when it no longer awaits approval. */
    public Promotion reject(String id, String user, String comment, long now) {
        return Database.under(write, () -> jdbi.inTransaction(h -> {
            Promotion p = find(h, id, true).orElseThrow(() -> Refusal.notFound("no promotion " + id));
            if (p.state() != Promotion.State.AWAITING_APPROVAL) {
                throw Refusal.conflict("promotion " + id + " is " + p.state() + ", not awaiting approval");
            }
            if (decided(h, id, user)) {
                h.createUpdate("delete from promotion_decisions where promotion_id = :id and user_name = :u")
                        .bind("id", id).bind("u", user).execute();
            }
            decide(h, id, user, "REJECT", comment, now);
            h.createUpdate("update promotions set state = 'REJECTED', state_detail = :d, update_time = :now where id = :id")
                    .bind("d", clip("rejected by " + user + (comment == null || comment.isBlank() ? "" : ": " + comment)))
                    .bind("now", now).bind("id", id).execute();
            return find(h, id, false).orElseThrow();
        }));
    }

    /**
     * Ends {@code id} PROMOTED and adds the next production version of its repo to the registry,
     * ending the current one, in one transaction; empty when it was not {@code PROMOTING} any more.
     */
    public Optional<Integer> promoted(String id, String prodBuildId, List<String> images, long now) {
        return Database.under(write, () -> jdbi.inTransaction(h -> {
            Promotion p = find(h, id, true).orElse(null);
            if (p == null || p.state() != Promotion.State.PROMOTING) {
                return Optional.<Integer>empty();
            }
            int version = h.createQuery("select coalesce(max(version), 0) + 1 from model_versions where repo = :r")
                    .bind("r", p.repo()).mapTo(Integer.class).one();
            h.createUpdate("update model_versions set left_time = :now where repo = :r and left_time is null")
                    .bind("now", now).bind("r", p.repo()).execute();
            h.createUpdate("""
                            insert into model_versions (repo, version, promotion_id, commit_sha, build_id, prod_build_id,
                                metrics, artifacts, images, gates, decisions, rollback_of, entered_time)
                            values (:repo, :v, :promotion, :sha, :build, :prod, :metrics, :artifacts, :images, :gates,
                                :decisions, :rollback, :now)""")
                    .bind("repo", p.repo()).bind("v", version).bind("promotion", id).bind("sha", p.commitSha())
                    .bind("build", p.buildId()).bind("prod", prodBuildId).bind("metrics", Json.write(p.metrics()))
                    .bind("artifacts", Json.write(p.artifacts())).bind("images", Json.write(images))
                    .bind("gates", Json.write(p.gates())).bind("decisions", Json.write(decisions(h, id)))
                    .bind("rollback", p.rollbackTo()).bind("now", now).execute();
            h.createUpdate("""
                            update promotions set state = 'PROMOTED', state_detail = :d, prod_build_id = coalesce(:prod,
                                prod_build_id), update_time = :now where id = :id""")
                    .bind("d", "production version v" + version + (prodBuildId != null ? ", built by " + prodBuildId : ""))
                    .bind("prod", prodBuildId).bind("now", now).bind("id", id).execute();
            return Optional.of(version);
        }));
    }

    private static Optional<Promotion> find(Handle h, String id, boolean lock) {
        return h.createQuery("select * from promotions where id = :id" + (lock ? " for update" : "")).bind("id", id)
                .map((rs, ctx) -> promotion(rs)).findOne();
    }

    private static boolean decided(Handle h, String id, String user) {
        return h.createQuery("select count(*) from promotion_decisions where promotion_id = :id and user_name = :u")
                .bind("id", id).bind("u", user).mapTo(Integer.class).one() > 0;
    }

    private static void decide(Handle h, String id, String user, String verdict, String comment, long now) {
        h.createUpdate("""
                        insert into promotion_decisions (promotion_id, user_name, verdict, comment, decide_time)
                        values (:id, :u, :v, :c, :now)""")
                .bind("id", id).bind("u", user).bind("v", verdict).bind("c", clip(comment)).bind("now", now).execute();
    }

    private static List<DecisionView> decisions(Handle h, String id) {
        return h.createQuery("select * from promotion_decisions where promotion_id = :id order by decide_time, user_name")
                .bind("id", id).map((rs, ctx) -> new DecisionView(rs.getString("user_name"), rs.getString("verdict"),
                        rs.getString("comment"), rs.getLong("decide_time"))).list();
    }

    private static Promotion promotion(ResultSet rs) throws SQLException {
        return new Promotion(rs.getString("id"), rs.getLong("seq"), rs.getString("repo"),
                Promotion.Kind.valueOf(rs.getString("kind")), rs.getString("source_branch"),
                rs.getString("target_branch"), rs.getString("commit_sha"), rs.getString("build_id"),
                (Integer) rs.getObject("rollback_to", Integer.class), Promotion.State.valueOf(rs.getString("state")),
                rs.getString("state_detail"), Json.read(rs.getString("gates"), GATES),
                rs.getObject("production_version", Integer.class), Json.read(rs.getString("metrics"), METRICS),
                rs.getString("metrics_digest"), Json.read(rs.getString("artifacts"), ARTIFACTS),
                rs.getString("artifacts_digest"), rs.getInt("approvals_needed"), Role.valueOf(rs.getString("approver_role")),
                rs.getBoolean("prevent_self_approval"), rs.getString("author"), rs.getString("submitter"),
                rs.getString("target_old_sha"), rs.getString("prod_build_id"), rs.getLong("create_time"),
                rs.getLong("update_time"), rs.getLong("expire_time"));
    }

    static String clip(String s) {
        return s == null || s.length() <= 2000 ? s : s.substring(0, 1997) + "...";
    }
}
