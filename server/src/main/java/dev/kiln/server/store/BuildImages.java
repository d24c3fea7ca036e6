package dev.kiln.server.store;

import dev.kiln.spec.api.BuiltImage;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

/** The images each build pushed, with their digests, in the order of its {@code images:}. */
public final class BuildImages {
    private final Jdbi jdbi;
    private final Database db;

    public BuildImages(Database db) {
        this.db = db;
        this.jdbi = db.jdbi();
    }

    /** Replaces what is recorded for the build: an agent's resend repeats the same list. */
    public void record(String buildId, List<BuiltImage> images) {
        Database.under(db.visibility().writeLock(), () -> jdbi.inTransaction(h -> {
            h.createUpdate("delete from build_images where build_id = :b").bind("b", buildId).execute();
            var batch = h.prepareBatch("insert into build_images (build_id, idx, name, digest) values (:b, :i, :n, :d)");
            for (int i = 0; i < images.size(); i++) {
                batch.bind("b", buildId).bind("i", i).bind("n", images.get(i).name()).bind("d", images.get(i).digest()).add();
            }
            return images.isEmpty() ? null : batch.execute();
        }));
    }

    public List<BuiltImage> of(String buildId) {
        return Database.under(db.visibility().readLock(), () -> jdbi.withHandle(h ->
                h.createQuery("select name, digest from build_images where build_id = :b order by idx").bind("b", buildId)
                        .map((rs, ctx) -> new BuiltImage(rs.getString("name"), rs.getString("digest"))).list()));
    }
}
