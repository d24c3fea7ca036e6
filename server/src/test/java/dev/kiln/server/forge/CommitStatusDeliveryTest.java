package dev.kiln.server.forge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiln.server.git.Repos;
import dev.kiln.server.store.Build;
import dev.kiln.server.store.BuildStore;
import dev.kiln.server.store.Database;
import dev.kiln.server.store.Provenance;
import dev.kiln.spec.api.RepoRequest;
import dev.kiln.spec.protocol.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How commit statuses are delivered, against a local HTTP recorder standing in for GitHub's API
 * (no forge runs here): a 5xx is retried with back-off until it succeeds, a forge that keeps
 * failing is given up on after 4 tries and the repo shows why, and a state heard late never
 * overwrites a later one.
 */
class CommitStatusDeliveryTest {
    private static final String SHA = "0123456789abcdef0123456789abcdef01234567";

    @TempDir Path tmp;
    Database db;
    BuildStore store;
    Repos repos;
    ForgeRecorder forge;
    CommitStatuses statuses;

    void open(java.util.function.IntUnaryOperator answer) throws Exception {
        forge = new ForgeRecorder(answer);
        db = Database.open(Database.h2Url(tmp.resolve("db")), null, null);
        store = new BuildStore(db);
        repos = new Repos(db, tmp.resolve("git"), Clock.systemUTC());
        Path origin = tmp.resolve("team/churn.git");
        Git.init().setBare(true).setDirectory(origin.toFile()).call().close();
        Path token = tmp.resolve("token");
        Files.writeString(token, "t0ken");
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
        repos.create(new RepoRequest("churn", origin.toString(), null, null, null, null, "github", forge.url(), null,
                token.toString()));
        statuses = new CommitStatuses(store, repos, () -> "https://kiln.example", Duration.ofMillis(5));
    }

    @AfterEach
    void close() {
        statuses.close();
        forge.close();
        db.close();
    }

    private Build build(Status status) {
        return store.insert(new Build("b-" + System.nanoTime(), 0, status, null, null, "build.yaml", Map.of(), "{}",
                List.of(), List.of(), null, 0, null, null, 60_000, null, null, null, null, false,
                new Provenance("churn", "refs/heads/dev", SHA, "a", "m", "nightly", Provenance.Cause.PUSH, null)),
                List.of());
    }

    @Test
    void a_server_error_is_retried_until_the_forge_takes_it() throws Exception {
        open(n -> n < 3 ? 502 : 201);
        Build b = build(Status.SUCCESS);
        statuses.moved(b.id(), Status.SUCCESS);
        await().atMost(Duration.ofSeconds(10)).until(() -> repos.get("churn").lastStatusTime() != null);
        assertThat(forge.requests).hasSize(3).allSatisfy(r -> assertThat(r.body()).contains("\"state\":\"success\"",
                "\"target_url\":\"https://kiln.example/builds/" + b.id() + "\"", "\"context\":\"kiln/nightly\""));
        assertThat(repos.get("churn").lastStatusError()).isNull();
    }

    @Test
    void a_forge_that_keeps_failing_is_given_up_after_four_tries_and_the_repo_says_why() throws Exception {
        open(n -> 500);
        Build b = build(Status.FAILURE);
        statuses.moved(b.id(), Status.FAILURE);
        await().atMost(Duration.ofSeconds(10)).until(() -> repos.get("churn").lastStatusError() != null);
        assertThat(forge.requests).hasSize(CommitStatuses.ATTEMPTS);
        assertThat(repos.get("churn").lastStatusError()).contains("github status failure of 0123456")
                .contains("answered HTTP 500");
    }

    @Test
    void a_state_heard_after_a_later_one_is_not_sent() throws Exception {
        open(n -> 201);
        Build b = build(Status.WORKING);
        statuses.moved(b.id(), Status.WORKING);
        statuses.moved(b.id(), Status.QUEUED);   // the queueing was told after the agent took it
        Build done = build(Status.SUCCESS);
        statuses.moved(done.id(), Status.QUEUED);   // told after the build ended
        statuses.moved(done.id(), Status.SUCCESS);
        await().atMost(Duration.ofSeconds(10)).until(() -> forge.requests.size() >= 2);
        Build marker = build(Status.SUCCESS);
        statuses.moved(marker.id(), Status.SUCCESS);   // delivered in order: once it is seen, the others were handled
        await().atMost(Duration.ofSeconds(10)).until(() -> forge.requests.stream()
                .anyMatch(r -> r.body().contains(marker.id())));
        assertThat(forge.requests).hasSize(3);
        assertThat(forge.requests.get(0).body()).contains(b.id(), "\"state\":\"pending\"", "Kiln: running");
        assertThat(forge.requests.get(1).body()).contains(done.id(), "\"state\":\"success\"");
    }
}
