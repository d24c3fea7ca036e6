package dev.kiln.server.hooks;

import dev.kiln.server.git.RefListener;
import dev.kiln.server.git.RefUpdate;
import dev.kiln.server.git.Repo;
import dev.kiln.server.git.Repos;
import dev.kiln.server.store.Provenance;
import dev.kiln.server.triggers.PullRequest;
import dev.kiln.server.triggers.PullRequestBuilds;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Use cases of {@code POST /hooks/NAME}: the repo is found (404), the signature checked on the raw
 * body with the repo's secret (401, nothing parsed, nothing started), the body read as its forge's
 * event (400), then acted on. A push is a hint only: the server fetches the mirror and builds what
 * the remote's branches point to, through the same {@link RefListener} as a poll; the fetch of a
 * repo runs one at a time, so a poll and a webhook seeing one push, or one delivery received
 * twice, build it once.
 */
public final class Webhooks {
    private static final Logger log = LoggerFactory.getLogger(Webhooks.class);
    /** A webhook body larger than this is refused (413) before it is read further. */
    public static final int MAX_BODY = 1 << 20;

    /** What a delivery did: an HTTP status, a sentence, and one line per build started (or refused). */
    public record Result(int status, String message, List<String> builds) {}

    /** A delivery refused: its status and why; nothing was started. */
    public static final class Rejected extends RuntimeException {
        private final int status;

        public Rejected(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    private final Repos repos;
    private final RefListener listener;
    private final PullRequestBuilds pullRequests;

    public Webhooks(Repos repos, RefListener listener, PullRequestBuilds pullRequests) {
        this.repos = repos;
        this.listener = listener;
        this.pullRequests = pullRequests;
    }

    public Result receive(String repoName, Function<String, String> header, byte[] body) throws IOException {
        Repo repo = repos.get(repoName);
        byte[] secret = repos.webhookSecret(repo.name()).orElseThrow(() -> new Rejected(401, "repo " + repo.name()
                + " has no webhook secret; add the repo with --webhook-secret-file to receive webhooks"));
        HookDialect dialect = HookDialect.of(header);
        if (!Signatures.valid(dialect, header, body, secret)) {
            log.warn("webhook for {} refused: missing or wrong {} signature", repo.name(), dialect);
            throw new Rejected(401, "the webhook's signature is missing or wrong");
        }
        String event = dialect.event(header);
        HookEvent e;
        try {
            e = Payloads.parse(dialect, event, json(header.apply("Content-Type"), body));
        } catch (Payloads.Malformed m) {
            throw new Rejected(400, m.getMessage());
        }
        if (e instanceof HookEvent.Push p) {
            return push(repo, p);
        }
        if (e instanceof HookEvent.PullRequest pr) {
            return new Result(200, "pull request " + pr.number(), pullRequests.changed(
                    new PullRequest(repo.name(), pr.number(), dialect.pullRequestRef(pr.number()), pr.baseBranch(),
                            pr.headBranch(), pr.headRepoUrl(), pr.author(), pr.collaborator(), pr.headSha())));
        }
        if (e instanceof HookEvent.Comment c) {
            return new Result(200, "comment on pull request " + c.number(),
                    pullRequests.commented(repo.name(), c.number(), c.body(), c.author(), c.collaborator()));
        }
        return new Result(200, e instanceof HookEvent.Ignored i ? i.why() : "pong", List.of());
    }

    /** GitHub may send the JSON as the {@code payload} field of a form; the signature covers the form as sent. */
    private static byte[] json(String contentType, byte[] body) {
        if (contentType == null || !contentType.toLowerCase(java.util.Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
            return body;
        }
        for (String pair : new String(body, java.nio.charset.StandardCharsets.US_ASCII).split("&")) {
            if (pair.startsWith("payload=")) {
                try {
                    return java.net.URLDecoder.decode(pair.substring(8), java.nio.charset.StandardCharsets.UTF_8)
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8);
                } catch (IllegalArgumentException bad) {
                    throw new Rejected(400, "the form's payload is not URL-encoded");
                }
            }
        }
        throw new Rejected(400, "a form body needs a payload field");
    }

    private Result push(Repo repo, HookEvent.Push p) throws IOException {
        if (repo.kind() != Repo.Kind.MIRRORED) {
            return new Result(200, "repo " + repo.name() + " is hosted by Kiln: a push to it builds from the receive", List.of());
        }
        Repos.Fetched fetched;
        try {
            fetched = repos.fetch(repo.name(), Provenance.Cause.WEBHOOK, listener);
        } catch (IOException ex) {
            throw new Rejected(502, "fetching " + repo.name() + " from its remote failed; the repo shows the error");
        }
        List<RefUpdate> moved = fetched.moved();
        List<String> lines = new ArrayList<>(fetched.build());
        String at = repos.heads(repo.name()).get(p.ref());
        boolean movedNow = moved.stream().anyMatch(u -> u.ref().equals(p.ref()));
        String message;
        if (at == null) {
            message = p.ref() + " is not on the remote (deleted, or never pushed): nothing to build";
        } else if (p.sha() != null && !p.sha().equals(at)) {
            message = "payload named " + p.sha() + ", branch is at " + at + "; " + (movedNow ? "building " + at
                    : at + " was fetched already");
            log.warn("{} {}: {}", repo.name(), p.ref(), message);
        } else {
            message = p.ref() + " is at " + at + (movedNow ? "" : "; fetched already (a poll or an earlier delivery)");
        }
        return new Result(200, message, lines);
    }
}
