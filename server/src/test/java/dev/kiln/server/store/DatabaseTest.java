package dev.kiln.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.spec.protocol.Status;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabaseTest {
    @TempDir Path tmp;

    private static Build build(String id) {
        return new Build(id, 0, Status.QUEUED, null, null, "build.yaml", Map.of(), "{}", List.of(), List.of(), null,
                1L, null, null, 1_000, null, null, null, null, false);
    }

    @Test
    void a_write_from_an_interrupted_thread_neither_fails_nor_closes_the_database() {
        // Commits are written by the committing thread; an interrupt (an agent stopping, a request
        // cancelled) must not close H2's file channel under every other connection.
        try (Database db = Database.open(Database.h2Url(tmp), null, null)) {
            BuildStore store = new BuildStore(db);
            Thread.currentThread().interrupt();
            try {
                store.insert(build("a"), List.of("s"));
            } finally {
                Thread.interrupted();
            }
            store.insert(build("b"), List.of("s"));
            assertThat(store.list(10, null)).extracting(Build::id).containsExactly("b", "a");
        }
    }

    @Test
    void a_database_made_before_the_retention_migration_gets_it_at_the_next_start() throws Exception {
        // A database made on main before V3 (retention) was merged is at V6 without V3: the server
        // must still start on it (Flyway's outOfOrder), add V3's column, and keep its builds.
        Path older = java.nio.file.Files.createDirectories(tmp.resolve("migrations-without-v3"));
        for (String v : List.of("V1__builds.sql", "V2__api_tokens.sql", "V4__git.sql", "V5__git_hooks.sql",
                "V6__git_approval_schedule.sql")) {
            try (var in = DatabaseTest.class.getResourceAsStream("/db/migration/" + v)) {
                java.nio.file.Files.copy(in, older.resolve(v));
            }
        }
        String url = Database.h2Url(tmp.resolve("data"));
        try (var ds = new com.zaxxer.hikari.HikariDataSource()) {
            ds.setJdbcUrl(url);
            org.flywaydb.core.Flyway.configure().dataSource(ds).locations("filesystem:" + older).load().migrate();
            org.jdbi.v3.core.Jdbi.create(ds).useHandle(h -> h.execute(
                    "insert into builds (id, seq, status, config_path, substitutions, plan, tags, labels, create_time,"
                            + " timeout_ms) values ('old', 1, 'SUCCESS', 'build.yaml', '{}', '{}', '[]', '[]', 1, 1000)"));
        }

        try (Database db = Database.open(url, null, null)) {
            BuildStore store = new BuildStore(db);
            assertThat(store.get("old")).isPresent();
            assertThat(store.kept("old")).isFalse();
            assertThat(store.keep("old", true)).isTrue();
            assertThat(store.kept("old")).isTrue();
            long v3 = db.jdbi().withHandle(h -> h.createQuery("select count(*) from flyway_schema_history where version = '3'"
                    + " and success").mapTo(Long.class).one());
            assertThat(v3).isEqualTo(1L);
        }
    }
}
