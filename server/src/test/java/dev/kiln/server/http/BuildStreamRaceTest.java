package dev.kiln.server.http;

import static dev.kiln.server.http.BuildStreamTest.view;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.server.http.BuildStreamTest.Event;
import dev.kiln.server.support.TestServer;
import dev.kiln.spec.api.BuildView;
import dev.kiln.spec.protocol.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * No wake-up of a build's stream is ever lost: a change that lands between the stream's read of the
 * store and its wait reaches the client at once, not at the next keepalive (15 s later). First with a
 * change put exactly there through the stream's test seam, then with many builds and watchers at once.
 */
@Timeout(300)
class BuildStreamRaceTest {
    @TempDir Path tmp;
    TestServer kiln;

    @BeforeEach
    void start() throws Exception {
        TestServer.reachable(tmp);
        kiln = TestServer.start(tmp.resolve("data"));
    }

    @AfterEach
    void stop() {
        BuildStream.beforeWait = id -> { };
        kiln.close();
    }

    @Test
    void a_change_that_lands_between_the_streams_read_and_its_wait_is_sent_at_once() throws Exception {
        // No agent offers this label, so the build waits in the queue until the test cancels it: a cancel of
        // a queued build ends it and tells its followers before the call returns.
        String id = submit("steps:\n  - args: ['true']\noptions:\n  agent: {labels: [nowhere]}\n");
        AtomicBoolean once = new AtomicBoolean(true);
        BuildStream.beforeWait = buildId -> {
            if (buildId.equals(id) && once.getAndSet(false)) {
                try {
                    // The stream has read the build queued and sent it; it has not waited yet.
                    kiln.api.cancel(id);
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }
        };
        try (Sse sse = new Sse(kiln.api, id)) {
            CompletableFuture<List<Event>> rest = CompletableFuture.supplyAsync(sse::rest);
            List<Event> seen = rest.get(5, TimeUnit.SECONDS);

            assertThat(once).as("the seam ran").isFalse();
            // The cancel ended the step too: its new state, then the build's, then the end.
            assertThat(seen).extracting(Event::name).containsExactly("step", "build", "step", "build", "end");
            assertThat(view(seen.get(1)).status()).isEqualTo(Status.QUEUED);
            assertThat(view(seen.get(3)).status()).isEqualTo(Status.CANCELLED);
        }
    }

    @Test
    void two_hundred_builds_each_followed_by_watchers_joining_at_different_moments_all_end_within_two_seconds()
            throws Exception {
        Path repo = TestServer.repo(tmp.resolve("repo"), Map.of("build.yaml", """
                steps:
                  - args: [echo, one]
                  - args: ['true']
                  - args: [printf, 'two\\nthree']
                """));
        int builds = 200;
        ExecutorService watchers = Executors.newCachedThreadPool();
        Semaphore inFlight = new Semaphore(4);
        ConcurrentLinkedQueue<String> late = new ConcurrentLinkedQueue<>();
        List<CompletableFuture<?>> all = new ArrayList<>();
        try {
            for (int i = 0; i < builds; i++) {
                inFlight.acquire();
                String id = kiln.submit(repo).id();
                CountDownLatch firstSeen = new CountDownLatch(1);
                CompletableFuture<?> a = CompletableFuture.runAsync(() -> watch(id, firstSeen, late), watchers);
                // The second joins once the first has its first event: somewhere in the build's life.
                CompletableFuture<?> b = CompletableFuture.runAsync(() -> {
                    await(firstSeen);
                    watch(id, new CountDownLatch(1), late);
                }, watchers);
                all.add(CompletableFuture.allOf(a, b).whenComplete((v, e) -> inFlight.release()));
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(240, TimeUnit.SECONDS);
        } finally {
            watchers.shutdownNow();
        }
        assertThat(late).as("watchers whose end came more than 2 s after their build ended").isEmpty();
    }

    /** Follows a build to its end; notes it in {@code late} if the end came over 2 s after the build ended. */
    private void watch(String id, CountDownLatch firstSeen, ConcurrentLinkedQueue<String> late) {
        try (Sse sse = new Sse(kiln.api, id)) {
            for (Event e = sse.next(); e != null; e = sse.next()) {
                firstSeen.countDown();
                if (e.name().equals("end")) {
                    Instant now = Instant.now();
                    BuildView b = view(e);
                    assertThat(b.status()).isEqualTo(Status.SUCCESS);
                    if (Duration.between(b.finishTime(), now).toMillis() > 2_000) {
                        late.add(id + ": end came " + Duration.between(b.finishTime(), now) + " after the build ended");
                    }
                    return;
                }
            }
            late.add(id + ": stream closed without end");
        } catch (Exception e) {
            late.add(id + ": " + e);
        } finally {
            firstSeen.countDown();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String submit(String buildYaml) throws Exception {
        Path repo = TestServer.repo(Files.createTempDirectory(tmp, "repo"), Map.of("build.yaml", buildYaml));
        return kiln.submit(repo).id();
    }
}
