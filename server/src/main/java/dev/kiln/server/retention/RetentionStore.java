package dev.kiln.server.retention;

import dev.kiln.server.store.Database;
import dev.kiln.spec.protocol.Status;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.Lock;
import org.jdbi.v3.core.Jdbi;

/**
 * The SQL of retention: which ended builds a policy lets go, removing them (steps first), and the
 * counts {@code kiln server status} shows. Goes through {@link Database#visibility()} as
 * {@code BuildStore} does.
 */
final class RetentionStore {
    /**
     * What "the last N" counts within: a trigger's builds (its repo and name: every build from git has
     * a trigger, a retry keeps it), else builds without one (submits) by their config path. Both
     * walk an index ({@code builds_trigger}, {@code builds_config}).
     */
    private static final String TRIGGER_BUILDS = "select id, status from builds where trigger_name = :trigger"
            + " and repo = :repo and kept = false order by seq desc offset :keep";
    private static final String SUBMIT_BUILDS = "select id, status from builds where config_path = :config"
            + " and trigger_name is null and kept = false order by seq desc offset :keep";
    private static final String ENDED = String.join(", ", Arrays.stream(Status.values()).filter(Status::isFinal)
            .map(s -> "'" + s.name() + "'").toList());

    private final Jdbi jdbi;
    private final Lock read;
    private final Lock write;

    RetentionStore(Database db) {
        this.jdbi = db.jdbi();
        this.read = db.visibility().readLock();
        this.write = db.visibility().writeLock();
    }

    /** A build that was removed, and the source archive it used (null for none). */
    /** A removed build: its source archive's digest and those of its artifacts, each to drop once unused. */
    record Removed(String id, String sourceDigest, List<String> artifacts) {}

    /** Build counts by state; {@code kept} counts kept builds of any state. */
    record Counts(long total, long queued, long working, long ended, long kept) {}

    /**
     * Up to {@code batch} builds that the policy lets go: ended, not kept, and ended before
     * {@code cutoff} (0: no age rule) or behind {@code keepBuilds} newer builds of their config (0:
     * no count rule): a git build's config is its trigger (repo and name), a submit's its config
     * path. Kept builds are not counted among the last N: keeping many must not push every other
     * build out. Each query walks an index (finish time; trigger or config, and sequence), not the
     * table: with H2 a read holds writers back, and the table may hold years of builds.
     */
    List<String> expired(long cutoff, int keepBuilds, int batch) {
        return Database.under(read, () -> jdbi.withHandle(h -> {
            Set<String> ids = new LinkedHashSet<>();
            if (cutoff > 0) {
                // Every ended build has a finish time (each end sets it).
                ids.addAll(h.createQuery("select id from builds where finish_time < :cutoff and kept = false"
                                + " and status in (" + ENDED + ") order by finish_time limit :batch")
                        .bind("cutoff", cutoff).bind("batch", batch).mapTo(String.class).list());
            }
            if (keepBuilds > 0) {
                // PENDING (waiting for approval), QUEUED and WORKING builds count among the last N
                // but are never removed: only ended ones are picked.
                List<String[]> triggers = h.createQuery("select distinct repo, trigger_name from builds"
                        + " where trigger_name is not null")
                        .map((rs, ctx) -> new String[] {rs.getString("repo"), rs.getString("trigger_name")}).list();
                for (String[] t : triggers) {
                    if (ids.size() >= batch) {
                        break;
                    }
                    ids.addAll(h.createQuery("select id from (" + TRIGGER_BUILDS + ") b where status in (" + ENDED
                                    + ") limit :batch")
                            .bind("repo", t[0]).bind("trigger", t[1])
                            .bind("keep", keepBuilds).bind("batch", batch - ids.size()).mapTo(String.class).list());
                }
                List<String> configs = h.createQuery("select distinct config_path from builds where trigger_name is null")
                        .mapTo(String.class).list();
                for (String config : configs) {
                    if (ids.size() >= batch) {
                        break;
                    }
                    ids.addAll(h.createQuery("select id from (" + SUBMIT_BUILDS + ") b where status in (" + ENDED
                                    + ") limit :batch")
                            .bind("config", config).bind("keep", keepBuilds).bind("batch", batch - ids.size())
                            .mapTo(String.class).list());
                }
            }
            return ids.stream().limit(batch).toList();
        }));
    }

    /**
     * Removes those of {@code ids} that are still ended and not kept (checked again under a row lock:
     * a build kept meanwhile stays), with their steps, in one transaction.
     */
    List<Removed> remove(List<String> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return Database.under(write, () -> jdbi.inTransaction(h -> {
            List<Removed> gone = h.createQuery("select id, source_digest from builds where id in (<ids>) and kept = false"
                            + " and status in (" + ENDED + ") for update")
                    .bindList("ids", ids)
                    .map((rs, ctx) -> new Removed(rs.getString("id"), rs.getString("source_digest"), List.of())).list();
            if (gone.isEmpty()) {
                return gone;
            }
            List<String> goneIds = gone.stream().map(Removed::id).toList();
            List<String> digests = h.createQuery("select distinct sha256 from build_artifacts where build_id in (<ids>)")
                    .bindList("ids", goneIds).mapTo(String.class).list();
            if (!digests.isEmpty()) {
                // One list for the batch: which build held which digest does not matter for removing unused ones.
                Removed first = gone.get(0);
                gone = new java.util.ArrayList<>(gone);
                gone.set(0, new Removed(first.id(), first.sourceDigest(), digests));
            }
            h.createUpdate("delete from build_steps where build_id in (<ids>)").bindList("ids", goneIds).execute();
            h.createUpdate("delete from build_images where build_id in (<ids>)").bindList("ids", goneIds).execute();
            for (String table : List.of("build_metrics", "build_warnings", "build_artifacts")) {
                h.createUpdate("delete from " + table + " where build_id in (<ids>)").bindList("ids", goneIds).execute();
            }
            h.createUpdate("delete from builds where id in (<ids>)").bindList("ids", goneIds).execute();
            return gone;
        }));
    }

    /** Every build's id: log directories of no build are left from a crash mid-removal. */
    Set<String> ids() {
        return Database.under(read, () -> jdbi.withHandle(h -> new HashSet<>(h.createQuery("select id from builds")
                .mapTo(String.class).list())));
    }

    Counts counts() {
        String sql = "select count(*) as total,"
                + " coalesce(sum(case when status in ('PENDING', 'QUEUED') then 1 else 0 end), 0) as queued,"
                + " coalesce(sum(case when status = 'WORKING' then 1 else 0 end), 0) as working,"
                + " coalesce(sum(case when status in (" + ENDED + ") then 1 else 0 end), 0) as ended,"
                + " coalesce(sum(case when kept then 1 else 0 end), 0) as kept"
                + " from builds";
        return Database.under(read, () -> jdbi.withHandle(h -> h.createQuery(sql)
                .map((rs, ctx) -> new Counts(rs.getLong("total"), rs.getLong("queued"), rs.getLong("working"),
                        rs.getLong("ended"), rs.getLong("kept"))).one()));
    }
}
