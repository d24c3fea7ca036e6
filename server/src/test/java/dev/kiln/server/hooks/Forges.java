package dev.kiln.server.hooks;

import dev.kiln.server.git.RefUpdate;
import dev.kiln.server.support.GitCli;
import dev.kiln.server.support.GitHttpRemote;
import dev.kiln.server.support.RawHttp;
import dev.kiln.server.support.TestServer;
import dev.kiln.spec.api.BuildView;
import dev.kiln.spec.api.RepoRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A forge on loopback for webhook tests: a bare repo {@code churn.git} served over smart HTTP,
 * a work tree that pushes to it, a Kiln server mirroring it with a webhook secret, and deliveries
 * signed as each forge signs them. No forge runs here: payloads follow each forge's documented
 * shape, trimmed to the fields Kiln reads.
 */
final class Forges implements AutoCloseable {
    static final String SECRET = "s3cret-for-hooks";
    static final String BUILD = """
            steps:
              - id: show
                args: [sh, -c, 'echo "sha=$COMMIT_SHA ref=$REF_NAME pr=$_PR_NUMBER head=$_HEAD_BRANCH base=$_BASE_BRANCH url=$_HEAD_REPO_URL"; cat data.txt']
            """;

    final GitCli git;
    final Path upstream;
    final Path work;
    final GitHttpRemote remote;
    final TestServer kiln;

    Forges(Path tmp, String pollInterval) throws Exception {
        git = GitCli.in(tmp);
        Path remotes = Files.createDirectories(tmp.resolve("remotes"));
        upstream = remotes.resolve("churn.git");
        git.run(tmp, "init", "-q", "--bare", "-b", "main", upstream.toString());
        work = git.init(tmp.resolve("work"), "dev");
        git.commit(work, "first", Map.of("build.yaml", BUILD, "data.txt", "first\n"));
        git.run(work, "push", "-q", upstream.toString(), "dev", "dev:main");
        remote = GitHttpRemote.serve(remotes);
        kiln = TestServer.start(tmp.resolve("data"));
        kiln.api.createRepo(new RepoRequest("churn", remote.url("churn.git"), pollInterval, null, null, SECRET));
    }

    /** Makes the upstream's post-receive hook send a GitHub push webhook, signed, for each ref pushed. */
    void installPostReceiveHook() throws Exception {
        Path hook = upstream.resolve("hooks/post-receive");
        Files.writeString(hook, """
                #!/bin/sh
                while read old new ref; do
                  body="{\\"ref\\":\\"$ref\\",\\"before\\":\\"$old\\",\\"after\\":\\"$new\\",\\"repository\\":{\\"full_name\\":\\"team/churn\\"}}"
                  sig=$(printf '%s' "$body" | openssl dgst -sha256 -hmac '%SECRET%' | sed 's/^.*= //')
                  curl -sS -o /dev/null -w 'webhook %{http_code}\\n' -X POST -H 'Content-Type: application/json' \\
                    -H 'X-GitHub-Event: push' -H "X-Hub-Signature-256: sha256=$sig" --data-binary "$body" '%URL%'
                done
                """.replace("%SECRET%", SECRET).replace("%URL%", kiln.server.url() + "/hooks/churn"));
        Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** Commits {@code data} on the work tree's branch; returns the commit. */
    String commit(String data) throws Exception {
        return git.commit(work, "data " + data, Map.of("data.txt", data + "\n"));
    }

    /** Pushes to the upstream without running its hook (a forge whose webhook has not arrived yet). */
    String pushQuietly(String... refspecs) throws Exception {
        Path hook = upstream.resolve("hooks/post-receive");
        Path off = upstream.resolve("hooks/post-receive.off");
        boolean installed = Files.exists(hook);
        if (installed) {
            Files.move(hook, off);
        }
        try {
            List<String> args = new java.util.ArrayList<>(List.of("push", "-q", "--force", upstream.toString()));
            args.addAll(List.of(refspecs));
            return git.run(work, args.toArray(String[]::new));
        } finally {
            if (installed) {
                Files.move(off, hook);
            }
        }
    }

    String push(String... refspecs) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("push", "--force", upstream.toString()));
        args.addAll(List.of(refspecs));
        return git.run(work, args.toArray(String[]::new));
    }

    static String pushBody(String ref, String after) {
        return "{\"ref\":\"" + ref + "\",\"before\":\"" + RefUpdate.ZERO + "\",\"after\":\"" + after + "\"}";
    }

    /** Sends {@code body} to {@code /hooks/churn} with {@code headers}. */
    RawHttp.Response send(String repo, Map<String, String> headers, String body) throws Exception {
        Map<String, String> h = new LinkedHashMap<>(Map.of("Content-Type", "application/json"));
        h.putAll(headers);
        return RawHttp.send(kiln.server.port(), "POST", "/hooks/" + repo, h, body.getBytes(StandardCharsets.UTF_8));
    }

    /** As GitHub sends {@code event}: signed with the secret. */
    RawHttp.Response github(String event, String body) throws Exception {
        return send("churn", Map.of("X-GitHub-Event", event, "X-Hub-Signature-256",
                Signatures.header(SECRET.getBytes(StandardCharsets.UTF_8), body.getBytes(StandardCharsets.UTF_8))), body);
    }

    RawHttp.Response gitlab(String event, String body) throws Exception {
        return send("churn", Map.of("X-Gitlab-Event", event, "X-Gitlab-Token", SECRET), body);
    }

    RawHttp.Response gitea(String event, String body) throws Exception {
        return send("churn", Map.of("X-Gitea-Event", event, "X-Gitea-Signature",
                Signatures.header(SECRET.getBytes(StandardCharsets.UTF_8), body.getBytes(StandardCharsets.UTF_8)).substring(7)), body);
    }

    List<BuildView> builds() throws Exception {
        return kiln.api.list(50);
    }

    @Override
    public void close() throws Exception {
        kiln.close();
        remote.close();
    }
}
