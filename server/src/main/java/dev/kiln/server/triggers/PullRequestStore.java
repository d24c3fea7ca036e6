package dev.kiln.server.triggers;

import dev.kiln.server.store.Database;
import java.util.Optional;
import java.util.concurrent.locks.Lock;
import org.jdbi.v3.core.Jdbi;

/** The SQL for the pull requests webhooks told of: the head built last, and whether builds wait for a comment. */
final class PullRequestStore {
    /** A pull request's row: {@code builtSha} null until something was built for it. */
    record Row(PullRequest pr, String headSha, boolean waiting, String builtSha) {}

    private final Jdbi jdbi;
    private final Lock read;
    private final Lock write;

    PullRequestStore(Database db) {
        this.jdbi = db.jdbi();
        this.read = db.visibility().readLock();
        this.write = db.visibility().writeLock();
    }

    Optional<Row> get(String repo, long number) {
        return Database.under(read, () -> jdbi.withHandle(h -> h.createQuery(
                        "select * from pull_requests where repo = :r and number = :n")
                .bind("r", repo).bind("n", number)
                .map((rs, ctx) -> new Row(new PullRequest(rs.getString("repo"), rs.getLong("number"),
                        rs.getString("head_ref"), rs.getString("base_branch"), rs.getString("head_branch"),
                        rs.getString("head_repo_url"), rs.getString("author"), false, null),
                        rs.getString("head_sha"), rs.getBoolean("waiting"), rs.getString("built_sha")))
                .findOne()));
    }

    /** Inserts or replaces the row of {@code pr}. (Update, then insert: the same SQL on H2 and PostgreSQL.) */
    void put(PullRequest pr, String headSha, boolean waiting, String builtSha, long now) {
        Database.under(write, () -> jdbi.inTransaction(h -> {
            int n = h.createUpdate("""
                    update pull_requests set head_ref = :ref, head_sha = :sha, base_branch = :base, head_branch = :head,
                      head_repo_url = :url, author = :author, waiting = :waiting, built_sha = :built, update_time = :now
                    where repo = :repo and number = :number""")
                    .bindMap(params(pr, headSha, waiting, builtSha, now)).execute();
            if (n == 0) {
                h.createUpdate("""
                        insert into pull_requests (repo, number, head_ref, head_sha, base_branch, head_branch,
                          head_repo_url, author, waiting, built_sha, update_time)
                        values (:repo, :number, :ref, :sha, :base, :head, :url, :author, :waiting, :built, :now)""")
                        .bindMap(params(pr, headSha, waiting, builtSha, now)).execute();
            }
            return null;
        }));
    }

    private static java.util.Map<String, Object> params(PullRequest pr, String headSha, boolean waiting, String builtSha,
                                                        long now) {
        java.util.Map<String, Object> m = new java.util.HashMap<>();
        m.put("repo", pr.repo());
        m.put("number", pr.number());
        m.put("ref", pr.headRef());
        m.put("sha", headSha);
        m.put("base", pr.baseBranch());
        m.put("head", pr.headBranch());
        m.put("url", pr.headRepoUrl());
        m.put("author", pr.author());
        m.put("waiting", waiting);
        m.put("built", builtSha);
        m.put("now", now);
        return m;
    }
}
