package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.agent.archive.SourceArchive;
import dev.kiln.agent.client.ApiClient;
import dev.kiln.server.support.KilnProcess;
import dev.kiln.server.support.TestServer;
import dev.kiln.spec.api.BuildView;
import dev.kiln.spec.protocol.Status;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The promise that nothing the API has shown or acknowledged is lost to a killed process: a server
 * under load is killed with SIGKILL at a random moment, again and again on the same data
 * directory, and after each restart every build a client saw created still exists, and every
 * build it saw ended has the same status and the same log. {@code -Dkiln.crashloop.kills=N} runs
 * longer (bench/crashloop.sh runs hundreds); CI runs a few.
 */
class CrashLoopTest {
    private static final String LISTENING = "Kiln server listening on (http://\\S+)";
    @TempDir Path tmp;

    /** What a client saw of a build before a kill: created (status null), or ended with this status and log. */
    private record Seen(Status status, String log, int round, long at) {}

    @Test
    void no_acknowledged_build_or_status_is_lost_to_kill_minus_nine() throws Exception {
        int kills = Integer.getInteger("kiln.crashloop.kills", 12);
        Path data = tmp.resolve("data");
        Path archive = tmp.resolve("src.tgz");
        Path repo = TestServer.repo(tmp.resolve("repo"), Map.of("build.yaml", "steps:\n  - args: [echo, trained]\n"));
        try (var o = Files.newOutputStream(archive)) {
            SourceArchive.pack(repo, o);
        }
        Map<String, Seen> seen = new LinkedHashMap<>();
        int checkedEnded = 0;
        long start = System.nanoTime();
        long killedAt = 0;
        for (int round = 0; round < kills; round++) {
            // Retention off: a long loop makes more than the last 100 builds, and every one of them is checked.
            KilnProcess server = KilnProcess.start(tmp, "server", "--port", "0", "--data-dir", data.toString(),
                    "--lease-timeout", "3s", "--heartbeat=500ms", "--keep-builds", "0", "--keep-days", "0");
            try {
                String url = server.awaitLine(LISTENING, Duration.ofSeconds(60));
                ApiClient api = TestServer.client(url, data);
                // First: everything acknowledged before the last kill is still as it was seen.
                for (var e : seen.entrySet()) {
                    BuildView b = get(api, e.getKey(), e.getValue(), killedAt);
                    if (e.getValue().status() != null) {
                        assertThat(b.status()).as("round %d: build %s was seen %s", round, e.getKey(), e.getValue())
                                .isEqualTo(e.getValue().status());
                        assertThat(log(api, e.getKey())).isEqualTo(e.getValue().log());
                        checkedEnded++;
                    }
                }
                // Then load, and a kill at a random moment of it.
                long killAt = System.nanoTime() + Duration.ofMillis(ThreadLocalRandom.current().nextInt(100, 1_500)).toNanos();
                // Past that moment, the kill comes right after the client sees a build end: the
                // moment a status shown before it is on disk would be lost.
                String pending = null;
                while (true) {
                    if (pending == null) {
                        pending = api.submit(archive, null, Map.of()).id();
                        seen.put(pending, new Seen(null, null, round, System.nanoTime()));
                    }
                    BuildView b = api.get(pending);
                    if (b.status().isFinal()) {
                        seen.put(pending, new Seen(b.status(), log(api, pending), round, System.nanoTime()));
                        pending = null;
                        if (System.nanoTime() > killAt) {
                            break;
                        }
                    }
                }
                killedAt = System.nanoTime();
                server.kill9();
                String keep = System.getProperty("kiln.crashloop.keep");
                if (keep != null) {   // the evidence, as the kill left it, for a failure to be looked into
                    new ProcessBuilder("sh", "-c", "rm -rf \"$1\" && cp -a \"$2\" \"$1\" && cp \"$3\" \"$1/server.out\"", "sh",
                            keep, data.toString(), server.output.toString()).inheritIO().start().waitFor();
                }
            } finally {
                server.close();
            }
        }
        // The last restart's check.
        try (KilnProcess server = KilnProcess.start(tmp, "server", "--port", "0", "--data-dir", data.toString(),
                "--keep-builds", "0", "--keep-days", "0")) {
            ApiClient api = TestServer.client(server.awaitLine(LISTENING, Duration.ofSeconds(60)), data);
            for (var e : seen.entrySet()) {
                BuildView b = get(api, e.getKey(), e.getValue(), killedAt);
                if (e.getValue().status() != null) {
                    assertThat(b.status()).as("build %s was seen %s", e.getKey(), e.getValue().status())
                            .isEqualTo(e.getValue().status());
                    checkedEnded++;
                }
            }
        }
        long ended = seen.values().stream().filter(s -> s.status() != null).count();
        System.out.printf("crash loop: %d kills, %d builds acknowledged, %d seen ended (%d checks after restarts), %.1f s%n",
                kills, seen.size(), ended, checkedEnded, (System.nanoTime() - start) / 1e9);
        assertThat(ended).as("the load ended builds between kills").isGreaterThan(kills);
    }

    private static BuildView get(ApiClient api, String id, Seen seen, long killedAt) throws Exception {
        try {
            return api.get(id);
        } catch (ApiClient.ApiException e) {
            throw new AssertionError("build " + id + " acknowledged in round " + seen.round() + ", "
                    + (killedAt - seen.at()) / 1_000_000 + " ms before the last kill (" + seen + "), is gone: " + e.getMessage());
        }
    }

    private static String log(ApiClient api, String id) throws Exception {
        try (var in = api.log(id, 0)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toString(StandardCharsets.UTF_8);
        }
    }
}
