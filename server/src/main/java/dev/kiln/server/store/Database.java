package dev.kiln.server.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** Opens the database (H2 file by default, PostgreSQL by URL) and brings its schema up to date. */
public final class Database implements AutoCloseable {
    private final HikariDataSource dataSource;
    private final Jdbi jdbi;
    private final boolean h2;

    private Database(HikariDataSource dataSource, boolean h2) {
        this.dataSource = dataSource;
        this.jdbi = Jdbi.create(dataSource);
        this.h2 = h2;
    }

    /** The default store: an H2 file under the data directory, in PostgreSQL mode so one set of SQL serves both. */
    public static String h2Url(Path dataDir) {
        // WRITE_DELAY: H2 writes commits to its file in the background at most this many ms later
        // (default 500). Short, so that a crash forgets little; see durable() for what it must not forget.
        return "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("kiln")
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;WRITE_DELAY=20";
    }

    public static Database open(String url, String user, String password) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        if (user != null) {
            config.setUsername(user);
        }
        if (password != null) {
            config.setPassword(password);
        }
        config.setMaximumPoolSize(8);
        config.setPoolName("kiln");
        HikariDataSource ds = new HikariDataSource(config);
        Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
        return new Database(ds, url.startsWith("jdbc:h2:"));
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    /**
     * Makes what was committed so far survive a crash of this process. PostgreSQL's commits already
     * do; H2 writes commits to its file up to WRITE_DELAY later, so for the changes that must not be
     * forgotten (a build accepted, a build ended) it is told to write now, at about 2 ms a time.
     * Leases and step updates, which come many times a second, are left to H2's own pace.
     */
    public void durable(Handle handle) {
        if (h2) {
            handle.execute("CHECKPOINT");
        }
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
