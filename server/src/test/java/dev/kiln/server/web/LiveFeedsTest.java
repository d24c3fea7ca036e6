package dev.kiln.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.server.support.TestServer;
import dev.kiln.spec.api.BuildView;
import dev.kiln.spec.json.Json;
import dev.kiln.spec.protocol.Status;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's live feeds (a step's log, the builds list) are woken by the build's events, and
 * no wake-up is lost: a change put exactly between a feed's read and its wait (through the feeds'
 * test seams) reaches the page at once, not at the next keep-alive 15 s later; then many builds
 * with feeds joining at different moments.
 */
@Timeout(300)
class LiveFeedsTest {
    /** Well under the 15 s keep-alive: a lost wake-up shows as a wait for the keep-alive. */
    private static final long AT_ONCE_S = 5;

    @TempDir Path tmp;
    TestServer kiln;
    /** A signed-in browser's session: the feeds are the dashboard's. */
    static String cookie;

    @BeforeEach
    void start() throws Exception {
        TestServer.reachable(tmp);
        kiln = TestServer.start(tmp.resolve("data"));
        cookie = WebSession.adminCookie(kiln);
    }

    @AfterEach
    void stop() {
        LiveLog.beforeWait = f -> { };
        LiveRows.beforeWait = f -> { };
        kiln.close();
    }

    record Event(String name, String id, JsonNode data) {}

    /** A feed read on a thread of its own; {@code null} in the queue once it closed. */
    static final class Feed implements AutoCloseable {
        final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        private final Stream<String> lines;

        Feed(String url) throws Exception {
            HttpResponse<Stream<String>> res = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                    .header("Accept", "text/event-stream").header("Cookie", cookie).build(), HttpResponse.BodyHandlers.ofLines());
            assertThat(res.statusCode()).isEqualTo(200);
            lines = res.body();
            Thread t = new Thread(() -> {
                String name = null;
                String id = null;
                StringBuilder data = new StringBuilder();
                try {
                    Iterator<String> it = lines.iterator();
                    while (it.hasNext()) {
                        String line = it.next();
                        if (line.startsWith("event:")) {
                            name = line.substring(6).strip();
                        } else if (line.startsWith("id:")) {
                            id = line.substring(3).strip();
                        } else if (line.startsWith("data:")) {
                            data.append(line.substring(5).strip());
                        } else if (line.isEmpty() && name != null) {
                            events.add(new Event(name, id, Json.MAPPER.readTree(data.toString())));
                            name = null;
                            data.setLength(0);
                        }
                    }
                } catch (Exception e) {
                    // closed
                } finally {
                    events.add("closed");
                }
            });
            t.setDaemon(true);
            t.start();
        }

        /** The next event within {@code seconds}; fails if none came or the feed closed. */
        Event next(long seconds) throws InterruptedException {
            Object e = events.poll(seconds, TimeUnit.SECONDS);
            assertThat(e).as("an event within " + seconds + " s").isInstanceOf(Event.class);
            return (Event) e;
        }

        @Override
        public void close() {
            lines.close();
        }
    }

    /** The text of each row that became final in a {@code lines} or {@code end} event. */
    static List<String> finals(Event e) {
        List<String> texts = new ArrayList<>();
        e.data().get("f").forEach(row -> texts.add(text(row)));
        return texts;
    }

    /** A rendered row's text, without its line number. */
    static String text(JsonNode row) {
        return row.asText().replaceAll("<a class=\"no\"[^>]*>\\d+</a>", "").replaceAll("<[^>]+>", "");
    }

    private String url(String path) {
        return kiln.server.url() + path;
    }

    @Test
    void a_log_line_that_lands_between_the_live_logs_read_and_its_wait_is_sent_at_once() throws Exception {
        Path gatePath = tmp.resolve("gate");
        Process mk = new ProcessBuilder("mkfifo", "-m", "644", gatePath.toString()).inheritIO().start();
        assertThat(mk.waitFor()).isZero();
        try (RandomAccessFile gate = new RandomAccessFile(gatePath.toFile(), "rw")) {
            String id = kiln.submit(TestServer.repo(tmp.resolve("src"), Map.of("build.yaml",
                    "steps:\n  - args: [cat, '" + gatePath + "']\n"))).id();
            Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> kiln.api.get(id).steps().get(0).status() == Status.WORKING);
            AtomicBoolean once = new AtomicBoolean(true);
            LiveLog.beforeWait = f -> {
                if (f.buildId().equals(id) && once.getAndSet(false)) {
                    try {
                        // The feed has read and sent; it has not waited yet. The line is stored and its event told now.
                        gate.write("hello\n".getBytes(StandardCharsets.UTF_8));
                    } catch (java.io.IOException e) {
                        throw new AssertionError(e);
                    }
                    Awaitility.await().atMost(Duration.ofSeconds(30)).until(f::woken);
                }
            };
            try (Feed feed = new Feed(url("/builds/" + id + "/steps/0/live"))) {
                assertThat(feed.next(AT_ONCE_S).name()).isEqualTo("lines");   // the log as it was: empty
                Event hello = feed.next(AT_ONCE_S);
                assertThat(once).as("the seam ran").isFalse();
                assertThat(hello.name()).isEqualTo("lines");
                // Final, or still open (the renderer keeps the last rows open to a cursor moving back up).
                List<String> shown = new ArrayList<>(finals(hello));
                hello.data().get("p").forEach(r -> shown.add(text(r)));
                assertThat(shown).contains("hello");
                gate.close();
                Event end = feed.next(AT_ONCE_S);
                while (end.name().equals("lines")) {
                    end = feed.next(AT_ONCE_S);
                }
                assertThat(end.name()).isEqualTo("end");
            }
        }
    }

    @Test
    void a_build_that_changes_between_the_live_lists_read_and_its_wait_is_sent_at_once() throws Exception {
        // No agent offers this label: the build waits queued (no running row, so no ticking duration) until cancelled.
        String id = kiln.submit(TestServer.repo(tmp.resolve("src"), Map.of("build.yaml",
                "steps:\n  - args: ['true']\noptions:\n  agent: {labels: [nowhere]}\n"))).id();
        AtomicBoolean once = new AtomicBoolean(true);
        LiveRows.beforeWait = f -> {
            if (once.getAndSet(false)) {
                try {
                    kiln.api.cancel(id);   // ends the queued build and tells its followers before it returns
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
                assertThat(f.woken()).isTrue();
            }
        };
        try (Feed feed = new Feed(url("/ui/builds/live?after=0"))) {
            Event first = feed.next(AT_ONCE_S);
            assertThat(first.name()).isEqualTo("rows");
            assertThat(first.data().get("added").toString()).contains("b-" + id, "QUEUED");
            Event cancelled = feed.next(AT_ONCE_S);
            assertThat(once).as("the seam ran").isFalse();
            assertThat(cancelled.data().get("changed").toString()).contains("b-" + id, "CANCELLED");
        }
    }

    @Test
    void many_builds_with_live_logs_joining_at_different_moments_all_end_promptly_and_the_list_shows_each_end()
            throws Exception {
        Path repo = TestServer.repo(tmp.resolve("repo"), Map.of("build.yaml", """
                steps:
                  - args: [echo, one]
                  - args: ['true']
                  - args: [printf, 'two\\nthree']
                """));
        Map<String, String> listed = new ConcurrentHashMap<>();
        Pattern row = Pattern.compile("id=\\\\\"b-([^\\\\]+)\\\\\".*?class=\\\\\"badge [a-z]+\\\\\">([A-Z_]+)<");
        int builds = 60;
        ExecutorService watchers = Executors.newCachedThreadPool();
        Semaphore inFlight = new Semaphore(4);
        ConcurrentLinkedQueue<String> late = new ConcurrentLinkedQueue<>();
        List<String> ids = new ArrayList<>();
        try (Feed list = new Feed(url("/ui/builds/live?after=0"))) {
            Thread lister = new Thread(() -> {
                try {
                    for (Object o = list.events.take(); o instanceof Event e; o = list.events.take()) {
                        Matcher m = row.matcher(e.data().toString());
                        while (m.find()) {
                            listed.put(m.group(1), m.group(2));
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            lister.setDaemon(true);
            lister.start();
            List<CompletableFuture<?>> all = new ArrayList<>();
            for (int i = 0; i < builds; i++) {
                inFlight.acquire();
                String id = kiln.submit(repo).id();
                ids.add(id);
                CountDownLatch firstSeen = new CountDownLatch(1);
                CompletableFuture<?> a = CompletableFuture.runAsync(() -> watch(id, firstSeen, late), watchers);
                // The second joins once the first has its first event: somewhere in the build's life.
                CompletableFuture<?> b = CompletableFuture.runAsync(() -> {
                    try {
                        firstSeen.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    watch(id, new CountDownLatch(1), late);
                }, watchers);
                all.add(CompletableFuture.allOf(a, b).whenComplete((v, e) -> inFlight.release()));
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(240, TimeUnit.SECONDS);
            Instant lastEnd = ids.stream().map(id -> {
                try {
                    return kiln.api.get(id).finishTime();
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }).max(Instant::compareTo).orElseThrow();
            Awaitility.await().atMost(Duration.ofSeconds(AT_ONCE_S)).pollInterval(Duration.ofMillis(20))
                    .until(() -> ids.stream().allMatch(id -> "SUCCESS".equals(listed.get(id))));
            assertThat(Duration.between(lastEnd, Instant.now())).as("the list showed every end").isLessThan(Duration.ofSeconds(AT_ONCE_S));
        } finally {
            watchers.shutdownNow();
        }
        assertThat(late).as("live logs whose end came more than 2 s after their build ended, or wrong").isEmpty();
    }

    /** Follows step 2's live log to its end; notes it in {@code late} if wrong or over 2 s after the build ended. */
    private void watch(String id, CountDownLatch firstSeen, ConcurrentLinkedQueue<String> late) {
        try (Feed feed = new Feed(url("/builds/" + id + "/steps/2/live"))) {
            List<String> rows = new ArrayList<>();
            for (Object o = feed.events.poll(60, TimeUnit.SECONDS); o instanceof Event e; o = feed.events.poll(60, TimeUnit.SECONDS)) {
                firstSeen.countDown();
                rows.addAll(finals(e));
                if (e.name().equals("end")) {
                    Instant now = Instant.now();
                    BuildView b = kiln.api.get(id);
                    if (!rows.equals(List.of("two", "three"))) {
                        late.add(id + ": rows " + rows);
                    } else if (b.finishTime() != null && Duration.between(b.finishTime(), now).toMillis() > 2_000) {
                        late.add(id + ": end came " + Duration.between(b.finishTime(), now) + " after the build ended");
                    }
                    return;
                }
            }
            late.add(id + ": feed closed or silent without end");
        } catch (Exception e) {
            late.add(id + ": " + e);
        } finally {
            firstSeen.countDown();
        }
    }
}
