package dev.kiln.server.promotion;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.kiln.server.store.Database;
import dev.kiln.spec.api.ModelVersionView;
import dev.kiln.spec.json.Json;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.Lock;
import org.jdbi.v3.core.Jdbi;

/**
 * The model registry: per repo, the append-only history of production versions. A version is added
 * only when a promotion's production build succeeds ({@link PromotionStore#promoted}); nothing here
 * changes one, but for the moment it leaves production.
 */
public final class ModelRegistry {
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};

    private final Jdbi jdbi;
    private final Lock read;

    public ModelRegistry(Database db) {
        this.jdbi = db.jdbi();
        this.read = db.visibility().readLock();
    }

    /** The version in production for {@code repo} now; empty when nothing was ever promoted. */
    public Optional<ModelVersionView> current(String repo) {
        return Database.under(read, () -> jdbi.withHandle(h -> h.createQuery(
                        "select * from model_versions where repo = :r and left_time is null").bind("r", repo)
                .map((rs, ctx) -> view(rs)).findOne()));
    }

    public Optional<ModelVersionView> get(String repo, int version) {
        return Database.under(read, () -> jdbi.withHandle(h -> h.createQuery(
                        "select * from model_versions where repo = :r and version = :v").bind("r", repo).bind("v", version)
                .map((rs, ctx) -> view(rs)).findOne()));
    }

    /** Every version of {@code repo}, newest first. */
    public List<ModelVersionView> history(String repo) {
        return Database.under(read, () -> jdbi.withHandle(h -> h.createQuery(
                        "select * from model_versions where repo = :r order by version desc").bind("r", repo)
                .map((rs, ctx) -> view(rs)).list()));
    }

    /** The production version of every repo that has one, by repo. */
    public List<ModelVersionView> production() {
        return Database.under(read, () -> jdbi.withHandle(h -> h.createQuery(
                        "select * from model_versions where left_time is null order by repo")
                .map((rs, ctx) -> view(rs)).list()));
    }

    private static ModelVersionView view(ResultSet rs) throws SQLException {
        Long left = rs.getObject("left_time", Long.class);
        return new ModelVersionView(rs.getString("repo"), rs.getInt("version"), left == null,
                rs.getString("promotion_id"), rs.getString("commit_sha"), rs.getString("build_id"),
                rs.getString("prod_build_id"), Json.read(rs.getString("metrics"), PromotionStore.METRICS),
                Json.read(rs.getString("artifacts"), PromotionStore.ARTIFACTS), Json.read(rs.getString("images"), STRINGS),
                Json.read(rs.getString("gates"), PromotionStore.GATES),
                Json.read(rs.getString("decisions"), PromotionStore.DECISIONS), rs.getObject("rollback_of", Integer.class),
                rs.getLong("entered_time"), left);
    }
}
