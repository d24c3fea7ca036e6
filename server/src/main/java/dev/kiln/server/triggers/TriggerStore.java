package dev.kiln.server.triggers;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.kiln.server.store.Database;
import dev.kiln.spec.json.Json;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.Lock;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

/** The SQL for triggers. Reads and writes go through {@link Database#visibility()}, as the builds' do. */
final class TriggerStore {
    private final Jdbi jdbi;
    private final Lock read;
    private final Lock write;

    TriggerStore(Database db) {
        this.jdbi = db.jdbi();
        this.read = db.visibility().readLock();
        this.write = db.visibility().writeLock();
    }

    /** Inserts {@code t}; false when a trigger of that name exists. */
    boolean insert(Trigger t) {
        return Database.under(write, () -> jdbi.inTransaction(h -> {
            if (h.createQuery("select count(*) from triggers where name = :n").bind("n", t.name()).mapTo(Integer.class).one() > 0) {
                return false;
            }
            h.createUpdate("""
                    insert into triggers (name, repo, branch_regex, tag_regex, invert_regex, config_path, included_files,
                      ignored_files, substitutions, enabled, create_time, pull_request, comment_control,
                      approval_required, schedule, schedule_branch, collaborators)
                    values (:name, :repo, :branch, :tag, :invert, :config, :included, :ignored, :subs, :enabled, :created,
                      :pr, :cc, :approval, :schedule, :scheduleBranch, :collaborators)""")
                    .bind("name", t.name()).bind("repo", t.repo()).bind("branch", t.branchRegex()).bind("tag", t.tagRegex())
                    .bind("invert", t.invert()).bind("config", t.configPath()).bind("included", Json.write(t.includedFiles()))
                    .bind("ignored", Json.write(t.ignoredFiles())).bind("subs", Json.write(t.substitutions()))
                    .bind("enabled", t.enabled()).bind("created", t.createTime())
                    .bind("pr", t.pullRequest()).bind("cc", t.commentControl())
                    .bind("approval", t.approvalRequired()).bind("schedule", t.schedule())
                    .bind("scheduleBranch", t.scheduleBranch())
                    .bind("collaborators", t.collaborators().isEmpty() ? null : Json.write(t.collaborators())).execute();
            return true;
        }));
    }

    Optional<Trigger> get(String name) {
        return Database.under(read, () -> jdbi.withHandle(h -> h.createQuery("select * from triggers where name = :n")
                .bind("n", name).map(TriggerStore::trigger).findOne()));
    }

    /** All triggers, or those of {@code repo} when it is not null, by name. */
    List<Trigger> list(String repo) {
        return Database.under(read, () -> jdbi.withHandle(h -> (repo == null
                ? h.createQuery("select * from triggers order by name")
                : h.createQuery("select * from triggers where repo = :r order by name").bind("r", repo))
                .map(TriggerStore::trigger).list()));
    }

    boolean delete(String name) {
        return Database.under(write, () -> jdbi.withHandle(h -> h.createUpdate("delete from triggers where name = :n")
                .bind("n", name).execute())) == 1;
    }

    boolean setEnabled(String name, boolean enabled) {
        return Database.under(write, () -> jdbi.withHandle(h -> h.createUpdate("update triggers set enabled = :e where name = :n")
                .bind("e", enabled).bind("n", name).execute())) == 1;
    }

    private static Trigger trigger(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Trigger(rs.getString("name"), rs.getString("repo"), rs.getString("branch_regex"),
                rs.getString("tag_regex"), rs.getBoolean("invert_regex"), rs.getString("config_path"),
                Json.read(rs.getString("included_files"), new TypeReference<List<String>>() {}),
                Json.read(rs.getString("ignored_files"), new TypeReference<List<String>>() {}),
                Json.read(rs.getString("substitutions"), new TypeReference<Map<String, String>>() {}),
                rs.getBoolean("enabled"), rs.getLong("create_time"),
                rs.getBoolean("pull_request"), rs.getBoolean("comment_control"), rs.getBoolean("approval_required"),
                rs.getString("schedule"), rs.getString("schedule_branch"),
                rs.getString("collaborators") == null ? List.of()
                        : Json.read(rs.getString("collaborators"), new TypeReference<List<String>>() {}));
    }
}
