package dev.kiln.server.forge;

import dev.kiln.server.events.BuildEvents;
import dev.kiln.server.git.ForgeLink;
import dev.kiln.server.git.Repo;
import dev.kiln.server.git.Repos;
import dev.kiln.server.store.Build;
import dev.kiln.server.store.BuildStore;
import dev.kiln.spec.protocol.Status;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts each git build's state to its mirrored repo's forge: pending when it is queued (or waits
 * for approval) and when it starts, then its end, with a link to the build page and the context
 * {@code kiln/<trigger>}. Hears moves through {@link BuildEvents#onStatus} (the scheduler knows
 * nothing of this) and only queues them there; one thread delivers them in order, retrying a
 * failed post with back-off. The queue is bounded: when it is full a state is dropped and logged.
 * A failure never touches the build: it is logged and shown on the repo ({@code lastStatusError}).
 * A state never goes back (a late "queued" after "running" is not sent).
 */
public final class CommitStatuses implements BuildEvents.StatusListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CommitStatuses.class);
    static final int CAPACITY = 10_000;
    static final int ATTEMPTS = 4;

    private record Move(String buildId, Status to) {}

    private final BuildStore builds;
    private final Repos repos;
    private final java.util.function.Supplier<String> publicUrl;
    private final Duration backoff;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private final BlockingQueue<Move> queue = new ArrayBlockingQueue<>(CAPACITY);
    /** Per build, how far its posted state went (0 waiting, 1 running, 2 ended): states only move forward. */
    private final Map<String, Integer> posted = new ConcurrentHashMap<>();
    private final AtomicLong dropped = new AtomicLong();
    private final Thread worker;

    /** {@code publicUrl}: how people reach this server (the build link); {@code backoff}: the first retry's wait, doubled each time. */
    public CommitStatuses(BuildStore builds, Repos repos, java.util.function.Supplier<String> publicUrl, Duration backoff) {
        this.builds = builds;
        this.repos = repos;
        this.publicUrl = publicUrl;
        this.backoff = backoff;
        this.worker = new Thread(this::deliver, "kiln-commit-status");
        this.worker.setDaemon(true);
        this.worker.start();
    }

    @Override
    public void moved(String buildId, Status to) {
        if (!queue.offer(new Move(buildId, to))) {
            log.warn("commit status queue full ({} waiting): state {} of build {} not posted ({} dropped so far)",
                    CAPACITY, to, buildId, dropped.incrementAndGet());
        }
    }

    private static int rank(Status s) {
        return s.isFinal() ? 2 : s == Status.WORKING ? 1 : 0;
    }

    private void deliver() {
        while (!Thread.currentThread().isInterrupted()) {
            Move m;
            try {
                m = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            try {
                post(m);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.error("commit status of build {} failed", m.buildId(), e);
            }
        }
    }

    private void post(Move m) throws InterruptedException {
        Optional<Build> found = builds.get(m.buildId());
        if (found.isEmpty() || found.get().provenance().repo() == null || found.get().provenance().commitSha() == null) {
            return;
        }
        Build b = found.get();
        Optional<Repo> repo = repos.find(b.provenance().repo());
        if (repo.isEmpty() || repo.get().forge() == null) {
            return;
        }
        Integer before = posted.get(b.id());
        if (before != null && before >= rank(m.to()) || b.status().isFinal() && !m.to().isFinal()) {
            return;   // a move heard late: the forge already has (or is about to get) a later state
        }
        posted.put(b.id(), rank(m.to()));
        if (m.to().isFinal()) {
            posted.remove(b.id());
        }
        ForgeLink link = repo.get().forge();
        StatusApi api = StatusApi.of(link.kind());
        String context = "kiln/" + (b.provenance().trigger() != null ? b.provenance().trigger() : "build");
        String what = link.kind() + " status " + api.state(m.to()) + " of " + b.provenance().commitSha().substring(0, 7)
                + " (build " + b.id() + ")";
        String error = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                HttpRequest req = api.request(link.apiUrl(), link.project(), b.provenance().commitSha(), m.to(),
                        publicUrl.get().replaceAll("/+$", "") + "/builds/" + b.id(), context, link.token());
                HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() / 100 == 2) {
                    error = null;
                    break;
                }
                error = what + ": " + req.method() + " " + req.uri().getPath() + " answered HTTP " + r.statusCode()
                        + " " + excerpt(r.body());
                // A refusal (bad token, unknown project) will not change by asking again; a 429 or 5xx may.
                if (r.statusCode() / 100 == 4 && r.statusCode() != 429) {
                    break;
                }
            } catch (IOException e) {
                error = what + ": " + (e.getMessage() != null ? e.getMessage() : e.toString());
                if (e.getMessage() != null && e.getMessage().startsWith("forgeTokenFile")) {
                    break;
                }
            }
            if (attempt < ATTEMPTS) {
                Thread.sleep(backoff.toMillis() << (attempt - 1));
            }
        }
        if (error != null) {
            log.warn("could not post {} after {} attempts; the build is not affected: {}", what, ATTEMPTS, error);
        }
        repos.statusPosted(repo.get().name(), error);
    }

    private static String excerpt(String body) {
        String s = body == null ? "" : body.replaceAll("\\s+", " ").strip();
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }

    /** States dropped because the queue was full: for tests and the log. */
    long dropped() {
        return dropped.get();
    }

    @Override
    public void close() {
        worker.interrupt();
    }
}
