package dev.kiln.server.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiln.agent.docker.TestImages;
import dev.kiln.server.support.SecretScan;
import dev.kiln.server.support.TestServer;
import dev.kiln.spec.api.BuildView;
import dev.kiln.spec.protocol.Status;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The done-criterion "no secret in clear anywhere": a secret planted, builds that print it every way
 * (plain, split across two writes, base64 at each alignment in both alphabets, URL-encoded), then
 * every API response and every file of the data directory (database included) searched for it.
 */
class SecretLeakTest {
    /** Has characters that base64's two alphabets and URL-encoding each write differently. */
    static final String SECRET = "kiln-Zq9/x+y?&v=1 t0k3n~>>";
    private static final String AVAILABLE = """
            availableSecrets:
              secretManager:
                - versionName: projects/p/secrets/deploy-token/versions/latest
                  env: TOKEN
            """;

    @TempDir Path tmp;
    private TestServer kiln;
    private boolean stopped;

    @org.junit.jupiter.api.AfterEach
    void stop() {
        if (kiln != null && !stopped) {
            kiln.close();
        }
    }

    @Test
    void a_process_step_printing_its_secret_every_way_leaves_it_nowhere() throws Exception {
        TestServer.reachable(tmp);   // the step runs as the build user, and waits for this file
        Path go = TestServer.reachable(Files.createDirectories(tmp.resolve("barrier"))).resolve("go");
        kiln = TestServer.start(tmp.resolve("data"));
        {
            kiln.api.setSecret("deploy-token", null, SECRET.getBytes(StandardCharsets.UTF_8));
            Path repo = TestServer.repo(tmp.resolve("repo"), Map.of("build.yaml", """
                    steps:
                      - id: print
                        secretEnv: [TOKEN]
                        script: |
                          #!/bin/sh
                          echo "plain: $TOKEN"
                          for p in '' a ab; do
                            printf 'std%%s: %%s\\n' "$p" "$(printf '%%s%%s' "$p" "$TOKEN" | base64 -w0)"
                            printf 'url%%s: %%s\\n' "$p" "$(printf '%%s%%s' "$p" "$TOKEN" | base64 -w0 | tr '+/' '-_')"
                          done
                          /usr/bin/python3 -c 'import os, urllib.parse as u; t = os.environ["TOKEN"]; print("quote: " + u.quote(t, safe="")); print("plus: " + u.quote_plus(t))'
                          printf 'marker\\n%%s' "$(printf %%s "$TOKEN" | cut -c1-9)"
                          i=0; while [ ! -e %s ] && [ $i -lt 3000 ]; do sleep 0.02; i=$((i+1)); done
                          printf '%%s\\nsplit done\\n' "$(printf %%s "$TOKEN" | cut -c10-)"
                      - id: without
                        args: [sh, -c, 'env | sort']
                    """.formatted(go) + AVAILABLE));
            String id = kiln.submit(repo).id();
            // The barrier: the first half is with the agent (held back: it could start the secret) once
            // the line before it, written by the same write, is on the server.
            await().atMost(Duration.ofSeconds(30)).until(() -> kiln.logText(id, 0).contains("marker\n"));
            Files.writeString(go, "");
            BuildView end = kiln.awaitEnd(id, Duration.ofSeconds(60));

            assertThat(end.status()).as(end.statusDetail()).isEqualTo(Status.SUCCESS);
            String log = kiln.logText(id, 0);
            assertThat(log).contains("plain: ***\n", "marker\n***\nsplit done\n", "quote: ***\n", "plus: ***\n");
            assertThat(log.lines().filter(l -> l.startsWith("std") || l.startsWith("url"))).hasSize(6)
                    .allSatisfy(l -> assertThat(l).contains("***"));
            assertThat(kiln.logText(id, 1)).as("a step without secretEnv gets no secret").doesNotContain("TOKEN");
            assertNowhere(id, 2);
        }
    }

    @Test
    void a_container_step_gets_its_secret_in_its_environment_and_prints_only_masks() throws Exception {
        String image = TestImages.busybox();
        kiln = TestServer.start(tmp.resolve("data"));
        {
            kiln.api.setSecret("deploy-token", null, SECRET.getBytes(StandardCharsets.UTF_8));
            Path repo = TestServer.repo(tmp.resolve("repo"), Map.of("build.yaml", """
                    steps:
                      - name: %s
                        secretEnv: [TOKEN]
                        script: |
                          echo "box: $TOKEN"
                          printf 'b64: %%s\\n' "$(printf %%s "$TOKEN" | base64)"
                          test "$(printf %%s "$TOKEN" | md5sum | cut -c1-32)" = %s && echo "the value is right"
                      - name: %s
                        args: [sh, -c, 'env | sort']
                    """.formatted(image, md5(SECRET), image) + AVAILABLE));
            BuildView end = kiln.awaitEnd(kiln.submit(repo).id(), Duration.ofSeconds(60));

            assertThat(end.status()).as(end.statusDetail()).isEqualTo(Status.SUCCESS);
            assertThat(kiln.logText(end.id(), 0)).contains("box: ***\n", "the value is right\n").contains("b64: ")
                    .doesNotContain(SECRET);
            assertThat(kiln.logText(end.id(), 1)).doesNotContain("TOKEN");
            assertNowhere(end.id(), 2);
        }
    }

    @Test
    void a_repo_scoped_secret_serves_only_its_repo_and_a_missing_one_fails_the_build_before_any_step() throws Exception {
        kiln = TestServer.start(tmp.resolve("data"));
        {
            // Only builds of repo "model-a" may have it: a build of no repo (kiln submit) may not.
            kiln.api.setSecret("deploy-token", "model-a", SECRET.getBytes(StandardCharsets.UTF_8));
            Path repo = TestServer.repo(tmp.resolve("repo"), Map.of("build.yaml", """
                    steps:
                      - secretEnv: [TOKEN]
                        args: [sh, -c, 'echo "got: $$TOKEN"']
                    """ + AVAILABLE));
            BuildView end = kiln.awaitEnd(kiln.submit(repo).id(), Duration.ofSeconds(30));

            assertThat(end.status()).isEqualTo(Status.FAILURE);
            assertThat(end.statusDetail()).isEqualTo("secret deploy-token does not exist for builds of no repo: an admin"
                    + " sets one with kiln secrets set NAME (a secret of another repo is not given to this one)");
            assertThat(end.steps()).allSatisfy(s -> assertThat(s.startTime()).as("no step ran").isNull());
            assertThat(kiln.logText(end.id(), 0)).isEmpty();

            kiln.api.setSecret("deploy-token", null, "global-value-1".getBytes(StandardCharsets.UTF_8));
            BuildView ok = kiln.awaitEnd(kiln.submit(repo).id(), Duration.ofSeconds(30));
            assertThat(ok.status()).as(ok.statusDetail()).isEqualTo(Status.SUCCESS);
            assertThat(kiln.logText(ok.id(), 0)).isEqualTo("got: ***\n");
        }
    }

    /** Every API response about the build, then (server stopped, database written) every file of the data directory. */
    private void assertNowhere(String id, int steps) throws Exception {
        List<String> responses = new ArrayList<>();
        for (String path : List.of("/api/builds/" + id, "/api/builds", "/api/secrets", "/api/registries", "/api/server/status",
                "/builds/" + id, "/", "/api/builds/" + id + "/steps/0/log", "/builds/" + id + "/steps/0/plain",
                "/builds/" + id + "/steps/0/lines?from=1&to=100", "/builds/" + id + "/steps/0/search?q=ok")) {
            responses.add(get(kiln, path));
        }
        try (var sse = kiln.api.events(id, new long[steps])) {
            responses.add(String.join("\n", sse.toList()));
        }
        assertThat(responses.get(responses.size() - 1)).contains("event: end");
        for (String r : responses) {
            assertThat(SecretScan.in(r, SECRET)).as(r).isEmpty();
        }
        kiln.close();
        stopped = true;
        assertThat(SecretScan.filesUnder(kiln.dataDir, SECRET)).isEmpty();
    }

    private static String md5(String s) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5")
                .digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    private static String get(TestServer kiln, String path) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(kiln.server.url() + path))
                .header("Authorization", "Bearer " + kiln.server.adminToken()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        return r.body();
    }
}
