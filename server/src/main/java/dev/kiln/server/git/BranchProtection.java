package dev.kiln.server.git;

import dev.kiln.server.store.Database;
import java.util.List;
import java.util.concurrent.locks.Lock;
import org.eclipse.jgit.lib.Repository;
import org.jdbi.v3.core.Jdbi;

/**
 * The protected branches of hosted repos: no push creates, moves, force-moves or deletes one; only
 * the server's own updates do ({@link ServerUpdates}). {@code prod} is protected on every hosted
 * repo from its start (a mirror follows its forge: its branches are protected there, if anywhere).
 */
public final class BranchProtection {
    /** Protected on every hosted repo when it is added. */
    public static final String DEFAULT = "prod";

    private final Jdbi jdbi;
    private final Lock read;
    private final Lock write;
    private final Repos repos;

    public BranchProtection(Database db, Repos repos) {
        this.jdbi = db.jdbi();
        this.read = db.visibility().readLock();
        this.write = db.visibility().writeLock();
        this.repos = repos;
    }

    /** The protected branches of {@code repo} (short names), sorted. */
    public List<String> list(String repo) {
        return Database.under(read, () -> jdbi.withHandle(h -> h.createQuery(
                        "select branch from protected_branches where repo = :r order by branch")
                .bind("r", repo).mapTo(String.class).list()));
    }

    /** Whether a push may not touch {@code ref} (a full ref name) of {@code repo}. */
    public boolean protects(String repo, String ref) {
        if (!ref.startsWith("refs/heads/")) {
            return false;
        }
        String branch = ref.substring("refs/heads/".length());
        return Database.under(read, () -> jdbi.withHandle(h -> h.createQuery(
                        "select count(*) from protected_branches where repo = :r and branch = :b")
                .bind("r", repo).bind("b", branch).mapTo(Integer.class).one())) > 0;
    }

    /** Protects {@code branch} of the hosted repo {@code repo}; false when it was already. */
    public boolean protect(String repo, String branch) {
        String b = checked(repo, branch);
        return Database.under(write, () -> jdbi.inTransaction(h -> {
            if (h.createQuery("select count(*) from protected_branches where repo = :r and branch = :b")
                    .bind("r", repo).bind("b", b).mapTo(Integer.class).one() > 0) {
                return false;
            }
            h.createUpdate("insert into protected_branches (repo, branch) values (:r, :b)").bind("r", repo).bind("b", b)
                    .execute();
            return true;
        }));
    }

    /** Lets pushes move {@code branch} of {@code repo} again; false when it was not protected. */
    public boolean unprotect(String repo, String branch) {
        String b = checked(repo, branch);
        return Database.under(write, () -> jdbi.withHandle(h -> h.createUpdate(
                        "delete from protected_branches where repo = :r and branch = :b")
                .bind("r", repo).bind("b", b).execute())) > 0;
    }

    /** What a refused push is told, on git's own rejection line and as a {@code remote:} line. */
    public static String refusal(String repo, String branch) {
        return "branch " + branch + " is protected: no push creates, moves or deletes it, only the Kiln server itself"
                + " does (an admin lifts this with: kiln repos unprotect " + repo + " " + branch + ")";
    }

    /** The branch's short name ({@code refs/heads/} taken off), refused when it is no branch name or the repo is a mirror. */
    private String checked(String repo, String branch) {
        Repo r = repos.get(repo);
        if (r.kind() != Repo.Kind.HOSTED) {
            throw Refusal.badRequest("repo " + repo + " mirrors " + r.url() + ": protect its branches there;"
                    + " Kiln protects the branches of the repos it hosts");
        }
        String b = branch == null ? "" : branch.strip();
        if (b.startsWith("refs/heads/")) {
            b = b.substring("refs/heads/".length());
        }
        if (b.isEmpty() || b.length() > 250 || !Repository.isValidRefName("refs/heads/" + b)) {
            throw Refusal.badRequest("'" + branch + "' is not a branch name");
        }
        return b;
    }
}
