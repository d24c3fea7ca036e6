package dev.kiln.server.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;

/** Opens the database (H2 file by default, PostgreSQL by URL) and brings its schema up to date. */
public final class Database implements AutoCloseable {
    private final HikariDataSource dataSource;
    private final Jdbi jdbi;
    private final ReadWriteLock visibility;

    private Database(HikariDataSource dataSource, boolean h2) {
        this.dataSource = dataSource;
        this.jdbi = Jdbi.create(dataSource);
        this.visibility = h2 ? new ReentrantReadWriteLock() : NO_LOCK;
    }

    /** For PostgreSQL, whose commits are durable before they are visible. */
    private static final ReadWriteLock NO_LOCK = new ReadWriteLock() {
        private final Lock none = new NoLock();

        @Override
        public Lock readLock() {
            return none;
        }

        @Override
        public Lock writeLock() {
            return none;
        }
    };

    private static final class NoLock implements Lock {
        @Override
        public void lock() {}

        @Override
        public void lockInterruptibly() {}

        @Override
        public boolean tryLock() {
            return true;
        }

        @Override
        public boolean tryLock(long time, TimeUnit unit) {
            return true;
        }

        @Override
        public void unlock() {}

        @Override
        public Condition newCondition() {
            throw new UnsupportedOperationException("no conditions on a lock that does nothing");
        }
    }

    /** The default store: an H2 file under the data directory, in PostgreSQL mode so one set of SQL serves both. */
    public static String h2Url(Path dataDir) {
        // Durability under kill -9, each setting found necessary by the crash loop (bench/crashloop.sh):
        // WRITE_DELAY=0: each commit is written to the file by the committing thread before the
        //   commit returns (by default H2 writes it up to 500 ms later, in the background).
        // RETENTION_TIME=max: H2 never writes a chunk into space freed by older ones while it runs.
        //   With reuse, H2's recovery after a kill at times misses the newest chunks and comes back
        //   without commits it had acknowledged (2 crash loops of 60 kills: both lost builds; without
        //   reuse, 0 of 423 builds lost). The file then grows until the next start compacts it.
        // retry: an interrupted thread in a write (an agent stopping) must not close the file for all.
        // DB_CLOSE_ON_EXIT=FALSE: the server closes it after ending its builds, not H2's own shutdown hook.
        // See visibility() for the readers' side.
        return "jdbc:h2:file:retry:" + dataDir.toAbsolutePath().resolve("kiln")
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;WRITE_DELAY=0;RETENTION_TIME=2147483647;DB_CLOSE_ON_EXIT=FALSE";
    }

    public static Database open(String url, String user, String password) {
        boolean h2 = url.startsWith("jdbc:h2:");
        if (h2) {
            compact(url, user, password);
        }
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
        // outOfOrder: V3 (retention) was written beside V4-V6 (git) and merged after them, so a
        // database made before the merge is at V6 without V3. Flyway would refuse to start on it
        // ("resolved migration not applied"); with this it applies V3 then, which is safe because
        // V3 touches nothing V4-V6 made (a column and indexes of its own on builds). A fresh
        // database runs V1..V6 in order as before. New migrations should still take the next number.
        Flyway.configure().dataSource(ds).locations("classpath:db/migration").outOfOrder(true).load().migrate();
        return new Database(ds, h2);
    }

    /**
     * Rewrites the H2 file without the space a run left behind (a file of 40 MB from 423 builds
     * becomes 164 KB, in 0.3 s), before anything is served.
     */
    private static void compact(String url, String user, String password) {
        try (Connection c = DriverManager.getConnection(url, user == null ? "" : user, password == null ? "" : password);
             Statement st = c.createStatement()) {
            st.execute("SHUTDOWN COMPACT");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open the database: " + e.getMessage(), e);
        }
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    /** Runs {@code work} holding {@code lock}, one side of {@link #visibility()}: how every store reads and writes. */
    public static <T> T under(java.util.concurrent.locks.Lock lock, java.util.function.Supplier<T> work) {
        lock.lock();
        try {
            return work.get();
        } finally {
            lock.unlock();
        }
    }

    /**
     * H2 makes a commit visible to other connections a moment before it has written it to its
     * file; a reader in that moment could show a user what a crash then forgets. So with H2, writes
     * hold the write side of this lock until their commit is on disk and readers the read side:
     * nothing is read that is not yet written. PostgreSQL makes a commit visible only once durable,
     * and gets a lock that does nothing.
     */
    public ReadWriteLock visibility() {
        return visibility;
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
