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
}
