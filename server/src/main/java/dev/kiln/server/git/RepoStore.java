package dev.kiln.server.git;

import dev.kiln.server.store.Database;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.Lock;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

/** The SQL for repos. Reads and writes go through {@link Database#visibility()}, as the builds' do. */
final class RepoStore {
    private final Jdbi jdbi;
    private final Lock read;
    private final Lock write;

    RepoStore(Database db) {
        this.jdbi = db.jdbi();
        this.read = db.visibility().readLock();
        this.write = db.visibility().writeLock();
    }

    /** Inserts {@code r}; false when a repo of that name exists. */
    boolean insert(Repo r) {
        return Database.under(write, () -> jdbi.inTransaction(h -> {
            if (h.createQuery("select count(*) from repos where name = :n").bind("n", r.name()).mapTo(Integer.class).one() > 0) {
                return false;
            }
            h.createUpdate("""
                    insert into repos (name, kind, url, poll_interval_ms, credentials_user, create_time,
                      forge, forge_url, forge_project, forge_token_file)
                    values (:name, :kind, :url, :poll, :user, :created, :forge, :forgeUrl, :forgeProject, :tokenFile)""")
                    .bind("name", r.name()).bind("kind", r.kind().name()).bind("url", r.url())
                    .bind("poll", r.pollInterval() == null ? null : r.pollInterval().toMillis())
                    .bind("user", r.credentialsUser()).bind("created", r.createTime())
                    .bind("forge", r.forge() == null ? null : r.forge().kind())
                    .bind("forgeUrl", r.forge() == null ? null : r.forge().apiUrl())
                    .bind("forgeProject", r.forge() == null ? null : r.forge().project())
                    .bind("tokenFile", r.forge() == null ? null : r.forge().tokenFile().toString()).execute();
            if (r.kind() == Repo.Kind.HOSTED) {
                h.createUpdate("insert into protected_branches (repo, branch) values (:n, :b)")
                        .bind("n", r.name()).bind("b", BranchProtection.DEFAULT).execute();
            }
            return true;
        }));
    }

    Optional<Repo> get(String name) {
        return Database.under(read, () -> jdbi.withHandle(h -> h.createQuery("select * from repos where name = :n")
                .bind("n", name).map(RepoStore::repo).findOne()));
    }

    List<Repo> list() {
        return Database.under(read, () -> jdbi.withHandle(h -> h.createQuery("select * from repos order by name")
                .map(RepoStore::repo).list()));
    }

    /** Deletes the repo; the names of triggers that still use it when it cannot (nothing deleted then). */
    List<String> delete(String name) {
        return Database.under(write, () -> jdbi.inTransaction(h -> {
            List<String> using = h.createQuery("select name from triggers where repo = :n order by name")
                    .bind("n", name).mapTo(String.class).list();
            if (using.isEmpty()) {
                h.createUpdate("delete from repos where name = :n").bind("n", name).execute();
            }
            return using;
        }));
    }

    /** Records a fetch of a mirrored repo: its time, and its error (null on success). */
    void polled(String name, long time, String error) {
        Database.under(write, () -> jdbi.withHandle(h -> h.createUpdate("""
                update repos set last_poll_time = :t, last_poll_error = :e,
                  last_success_time = case when :ok then :t else last_success_time end
                where name = :n""")
                .bind("t", time).bind("e", error == null || error.length() <= 2000 ? error : error.substring(0, 2000))
                .bind("ok", error == null).bind("n", name).execute()));
    }

    /** Records a post of a build's state to the repo's forge: its time, and its error (null on success). */
    void statusPosted(String name, long time, String error) {
        Database.under(write, () -> jdbi.withHandle(h -> h.createUpdate(
                        "update repos set last_status_time = :t, last_status_error = :e where name = :n")
                .bind("t", time).bind("e", error == null || error.length() <= 2000 ? error : error.substring(0, 2000))
                .bind("n", name).execute()));
    }

    private static Repo repo(ResultSet rs, StatementContext ctx) throws SQLException {
        long poll = rs.getLong("poll_interval_ms");
        Duration interval = rs.wasNull() ? null : Duration.ofMillis(poll);
        return new Repo(rs.getString("name"), Repo.Kind.valueOf(rs.getString("kind")), rs.getString("url"), interval,
                rs.getString("credentials_user"), rs.getLong("create_time"), longOrNull(rs, "last_poll_time"),
                rs.getString("last_poll_error"), longOrNull(rs, "last_success_time"),
                rs.getString("forge") == null ? null : new ForgeLink(rs.getString("forge"), rs.getString("forge_url"),
                        rs.getString("forge_project"), java.nio.file.Path.of(rs.getString("forge_token_file"))),
                longOrNull(rs, "last_status_time"), rs.getString("last_status_error"));
    }

    private static Long longOrNull(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }
}
