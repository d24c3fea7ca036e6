package dev.kiln.server.triggers;

import dev.kiln.server.git.RefUpdate;
import dev.kiln.server.store.Database;
import dev.kiln.server.store.Provenance;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Lock;
import org.jdbi.v3.core.Jdbi;

/**
 * The ref updates the server has accepted, written before anything is built for them: a push
 * accepted is a build promised. A row stays pending until it has been processed, so one left
 * pending by a crash is processed at the next start.
 */
public final class RefUpdateLog {
    /** A recorded ref update. */
    public record Entry(long id, String repo, RefUpdate update, Provenance.Cause cause) {}

    private final Jdbi jdbi;
    private final Lock write;
    private final Lock read;

    public RefUpdateLog(Database db) {
        this.jdbi = db.jdbi();
        this.write = db.visibility().writeLock();
        this.read = db.visibility().readLock();
    }

    /** Records {@code updates} of {@code repo} in one transaction, pending; returns them with their ids. */
    public List<Entry> record(String repo, List<RefUpdate> updates, Provenance.Cause cause, long now) {
        return record(repo, updates, cause, null, now);
    }

    /** The same, for a push by {@code actor}. */
    public List<Entry> record(String repo, List<RefUpdate> updates, Provenance.Cause cause, String actor, long now) {
        return Database.under(write, () -> jdbi.inTransaction(h -> {
            List<Entry> out = new ArrayList<>();
            for (RefUpdate u : updates) {
                long id = h.createUpdate("""
                        insert into ref_updates (repo, ref, old_sha, new_sha, cause, actor, create_time)
                        values (:repo, :ref, :old, :new, :cause, :actor, :now)""")
                        .bind("repo", repo).bind("ref", u.ref()).bind("old", u.oldSha()).bind("new", u.newSha())
                        .bind("cause", cause.wire()).bind("actor", actor).bind("now", now)
                        .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
                out.add(new Entry(id, repo, u, cause));
            }
            return out;
        }));
    }

    /** Who made update {@code id} (the user who pushed); empty for a poll, a webhook, or no such update. */
    public java.util.Optional<String> actor(long id) {
        return Database.under(read, () -> jdbi.withHandle(h -> h.createQuery(
                        "select actor from ref_updates where id = :id").bind("id", id).mapTo(String.class).findOne()));
    }

    /** The updates not yet processed, oldest first. */
    public List<Entry> pending() {
        return Database.under(read, () -> jdbi.withHandle(h -> h.createQuery(
                        "select * from ref_updates where processed_time is null order by id")
                .map((rs, ctx) -> new Entry(rs.getLong("id"), rs.getString("repo"),
                        new RefUpdate(rs.getString("ref"), rs.getString("old_sha"), rs.getString("new_sha")),
                        Provenance.Cause.ofWire(rs.getString("cause"))))
                .list()));
    }

    /** Marks the update processed, with what went wrong (null: nothing). */
    public void done(long id, String error, long now) {
        Database.under(write, () -> jdbi.withHandle(h -> h.createUpdate(
                        "update ref_updates set processed_time = :now, error = :e where id = :id")
                .bind("now", now).bind("e", error == null || error.length() <= 2000 ? error : error.substring(0, 2000))
                .bind("id", id).execute()));
    }
}
