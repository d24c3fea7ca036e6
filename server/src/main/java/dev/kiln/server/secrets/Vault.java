package dev.kiln.server.secrets;

import dev.kiln.server.store.Database;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.Lock;
import javax.crypto.SecretKey;
import org.jdbi.v3.core.Jdbi;

/**
 * The {@code secrets} table: values sealed with the master key, each bound to its kind, scope and
 * name. Nothing here returns a value to a caller that did not name it.
 */
public final class Vault {
    /** What a value is for. */
    public enum Kind {
        /** A secret steps get through secretEnv. */
        BUILD,
        /** A registry login (username and password, JSON). */
        REGISTRY,
        /** A mirrored repo's password for its remote. */
        MIRROR,
        /** A repo's webhook secret. */
        WEBHOOK,
        /** The key a notification hook's deliveries are signed with (name: the hook's id). */
        NOTIFICATION;

        String column() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** A stored value's place and age, never the value. */
    public record Entry(Kind kind, String scope, String name, long updateTime) {}

    private final Jdbi jdbi;
    private final Lock read;
    private final Lock write;
    private final Sealer sealer;
    private final Clock clock;

    public Vault(Database db, SecretKey key, Clock clock) {
        this.jdbi = db.jdbi();
        this.read = db.visibility().readLock();
        this.write = db.visibility().writeLock();
        this.sealer = new Sealer(key);
        this.clock = clock;
    }

    private static String where(Kind kind, String scope, String name) {
        return kind.column() + '\0' + scope + '\0' + name;
    }

    /** Stores {@code value}, replacing any there; returns the time stored. */
    public long put(Kind kind, String scope, String name, String value) {
        String sealed = sealer.seal(value, where(kind, scope, name));
        long now = clock.millis();
        Database.under(write, () -> jdbi.inTransaction(h -> {
            h.createUpdate("delete from secrets where kind = :k and scope = :s and name = :n")
                    .bind("k", kind.column()).bind("s", scope).bind("n", name).execute();
            h.createUpdate("insert into secrets (kind, scope, name, sealed, update_time) values (:k, :s, :n, :v, :t)")
                    .bind("k", kind.column()).bind("s", scope).bind("n", name).bind("v", sealed).bind("t", now).execute();
            return null;
        }));
        return now;
    }

    public Optional<String> get(Kind kind, String scope, String name) {
        Optional<String> sealed = Database.under(read, () -> jdbi.withHandle(h -> h.createQuery(
                        "select sealed from secrets where kind = :k and scope = :s and name = :n")
                .bind("k", kind.column()).bind("s", scope).bind("n", name).mapTo(String.class).findOne()));
        return sealed.map(v -> sealer.open(v, where(kind, scope, name)));
    }

    public boolean delete(Kind kind, String scope, String name) {
        return Database.under(write, () -> jdbi.withHandle(h -> h.createUpdate(
                        "delete from secrets where kind = :k and scope = :s and name = :n")
                .bind("k", kind.column()).bind("s", scope).bind("n", name).execute())) > 0;
    }

    public List<Entry> list(Kind kind) {
        return Database.under(read, () -> jdbi.withHandle(h -> h.createQuery(
                        "select scope, name, update_time from secrets where kind = :k order by name, scope")
                .bind("k", kind.column())
                .map((rs, ctx) -> new Entry(kind, rs.getString("scope"), rs.getString("name"), rs.getLong("update_time")))
                .list()));
    }
}
