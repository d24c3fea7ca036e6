package dev.kiln.server.support;

import static org.awaitility.Awaitility.await;

import dev.kiln.agent.archive.SourceArchive;
import dev.kiln.agent.client.ApiClient;
import dev.kiln.agent.client.Credentials;
import dev.kiln.server.KilnServer;
import dev.kiln.spec.api.BuildView;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** A real Kiln server in this JVM on a free port, with its own data directory. */
public final class TestServer implements AutoCloseable {
    public final KilnServer server;
    public final ApiClient api;
    public final Path dataDir;

    private TestServer(KilnServer server, Path dataDir) throws IOException {
        this.server = server;
        this.dataDir = dataDir;
        this.api = client(server.url(), dataDir);
    }

    /** An API client with the admin token of the server whose data directory is {@code dataDir}. */
    public static ApiClient client(String url, Path dataDir) throws IOException {
        return new ApiClient(url, new Credentials(Files.readString(dataDir.resolve("admin.token")).strip(), "test"));
    }

    /** Lets other users (the build user) enter {@code dir}, which JUnit makes for its owner only. */
    public static Path reachable(Path dir) throws IOException {
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        return dir;
    }

    public static TestServer start(Path dataDir) throws IOException {
        return start(KilnServer.Config.defaults(dataDir).withPort(0).withLease(Duration.ofSeconds(3), Duration.ofMillis(500)));
    }

    public static TestServer start(KilnServer.Config config) throws IOException {
        return new TestServer(new KilnServer(config).start(), config.dataDir());
    }

    /** Keeping time by {@code clock} (tests move it to expire sessions and sign-in limits). */
    public static TestServer start(KilnServer.Config config, java.time.Clock clock) throws IOException {
        return new TestServer(new KilnServer(config, KilnServer.Upkeep.DEFAULTS, clock).start(), config.dataDir());
    }

    /** With its own retention, disk floor and free-space probe. */
    public static TestServer start(KilnServer.Config config, KilnServer.Upkeep upkeep) throws IOException {
        return new TestServer(new KilnServer(config, upkeep).start(), config.dataDir());
    }

    /** Writes {@code files} (name -> content) under {@code dir}. */
    public static Path repo(Path dir, Map<String, String> files) throws IOException {
        for (var e : files.entrySet()) {
            Path p = dir.resolve(e.getKey());
            Files.createDirectories(p.getParent());
            Files.writeString(p, e.getValue());
        }
        return dir;
    }

    /** Runs a one-step build that succeeds, to its end, and returns its id: a build for tests of the API around it. */
    public String endedBuild(Path dir) throws IOException, InterruptedException {
        String id = submit(repo(dir, Map.of("build.yaml", "steps:\n  - args: ['true']\n"))).id();
        awaitEnd(id, Duration.ofSeconds(30));
        return id;
    }

    public BuildView submit(Path dir) throws IOException, InterruptedException {
        return submit(dir, Map.of());
    }

    public BuildView submit(Path dir, Map<String, String> subs) throws IOException, InterruptedException {
        Path archive = Files.createTempFile("test-src", ".tgz");
        try {
            try (OutputStream o = Files.newOutputStream(archive)) {
                SourceArchive.pack(dir, o);
            }
            return api.submit(archive, null, subs);
        } finally {
            Files.deleteIfExists(archive);
        }
    }

    public BuildView awaitEnd(String id, Duration within) {
        BuildView[] last = new BuildView[1];
        await().atMost(within).pollInterval(Duration.ofMillis(20)).until(() -> {
            last[0] = api.get(id);
            return last[0].status().isFinal();
        });
        return last[0];
    }

    public byte[] log(String id, int step) throws IOException, InterruptedException {
        try (InputStream in = api.log(id, step)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toByteArray();
        }
    }

    public String logText(String id, int step) throws IOException, InterruptedException {
        return new String(log(id, step), java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        server.close();
    }
}
