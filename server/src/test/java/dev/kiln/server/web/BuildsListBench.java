package dev.kiln.server.web;

import dev.kiln.server.KilnServer;
import dev.kiln.server.disk.DiskSpace;
import dev.kiln.server.disk.MinFree;
import dev.kiln.server.retention.RetentionPolicy;
import dev.kiln.server.store.Build;
import dev.kiln.server.store.BuildStore;
import dev.kiln.server.store.Database;
import dev.kiln.server.store.Provenance;
import dev.kiln.spec.protocol.Status;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Bench, not a test ({@code bench/builds-list.sh}): the builds list {@code /} with N builds in the
 * database (default 100,000), seeded through {@link BuildStore#insert} (500; the rest SQL copies of them) and then given end
 * states in one update. Times page 1 and a filtered page over HTTP (server, H2 file, template) beside the raw
 * baseline: the same SQL by itself through JDBC on the same database.
 */
public final class BuildsListBench {
    static final String[] REPOS = {"churn", "vision", "nlp", "recsys", "tabular"};
    static final String[] TRIGGERS = {"dev-push", "nightly", "pr"};
    static final int SEEDED = 500;

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        Path dir = Files.createTempDirectory("kiln-bench-list");
        long t0 = System.nanoTime();
        try (Database db = Database.open(Database.h2Url(dir), null, null)) {
            BuildStore store = new BuildStore(db);
            // Through the store, as the server makes them; each insert is its own flushed commit (~10-20 ms
            // here), so the rest are copies of these made by SQL, with new ids, sequence numbers and times.
            int seeded = Math.min(n, SEEDED);
            long created = System.currentTimeMillis() - n * 60_000L;
            for (int i = 0; i < seeded; i++) {
                String repo = REPOS[i % REPOS.length];
                Provenance p = new Provenance(repo, "refs/heads/" + (i % 7 == 0 ? "main" : "dev"), sha(i), "Ada <ada@example.com>",
                        "Train model " + i + ": tune the learning rate", TRIGGERS[i % TRIGGERS.length], Provenance.Cause.PUSH, null);
                store.insert(new Build(UUID.randomUUID().toString(), 0, Status.QUEUED, null, null, "build.yaml", Map.of(),
                        "{}", List.of(), List.of(), null, created + i * 60_000L, null, null, 600_000, null, null, null, null,
                        false, p), List.of("test", "train", "evaluate"));
            }
            System.out.printf("seeded %,d builds through BuildStore.insert in %.1f s%n", seeded, (System.nanoTime() - t0) / 1e9);
            List<String> cols = db.jdbi().withHandle(h -> h.createQuery("select column_name from information_schema.columns "
                    + "where lower(table_name) = 'builds' order by ordinal_position").mapTo(String.class).list());
            String others = String.join(", ", cols.stream().filter(c -> !List.of("id", "seq", "create_time").contains(c.toLowerCase()))
                    .toList());
            for (int k = 1; k * seeded < n; k++) {
                int copies = Math.min(seeded, n - k * seeded);
                long shift = (long) k * seeded;
                db.jdbi().useHandle(h -> h.execute("insert into builds (id, seq, create_time, " + others + ") select "
                        + "cast(random_uuid() as varchar), seq + " + shift + ", create_time + " + shift * 60_000L + ", " + others
                        + " from builds where seq <= " + copies));
            }
            // End states: 1 in 7 failed, the rest succeeded, each after 95 s.
            db.jdbi().useHandle(h -> h.execute("update builds set status = case when mod(seq, 7) = 3 then 'FAILURE' "
                    + "else 'SUCCESS' end, start_time = create_time + 1000, finish_time = create_time + 96000"));
            System.out.printf("%,d builds in the database after %.1f s%n", db.jdbi().withHandle(h -> h.createQuery(
                    "select count(*) from builds").mapTo(Long.class).one()), (System.nanoTime() - t0) / 1e9);
            String page1 = "select * from builds where seq < 9223372036854775807 order by seq desc limit 51";
            String filtered = "select * from builds where seq < 9223372036854775807 and repo = 'vision' "
                    + "and status = 'FAILURE' order by seq desc limit 51";
            report("raw SQL, page 1 (JDBC, rows read)", rounds, () -> db.jdbi().withHandle(h -> h.createQuery(page1)
                    .mapToMap().list().size()));
            report("raw SQL, filtered (repo + status)", rounds, () -> db.jdbi().withHandle(h -> h.createQuery(filtered)
                    .mapToMap().list().size()));
            report("BuildStore.list, page 1", rounds, () -> store.list(51, null).size());
            report("BuildStore.list, filtered", rounds, () -> store.list(51, null,
                    new BuildStore.Filter("vision", null, null, Status.FAILURE)).size());
        }
        KilnServer.Upkeep keepAll = new KilnServer.Upkeep(RetentionPolicy.DEFAULTS.withLimits(0, 0), MinFree.OFF, DiskSpace.system());
        try (KilnServer server = new KilnServer(KilnServer.Config.defaults(dir).withPort(0).withLocalAgent(false), keepAll).start()) {
            HttpClient http = HttpClient.newHttpClient();
            for (String[] page : new String[][] {{"GET / (page 1)", "/"}, {"GET /?repo=vision&status=FAILURE", "/?repo=vision&status=FAILURE"},
                    {"GET / deep page (before=seq 50,000)", "/?before=50000"}}) {
                report(page[0], rounds, () -> {
                    try {
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server.url() + page[1]))
                                        .header("Authorization", "Bearer " + server.adminToken()).build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() != 200 || !r.body().contains("Train model")) {
                            throw new IllegalStateException("unexpected page: " + r.statusCode());
                        }
                        return r.body().length();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
            }
        }
    }

    static String sha(int i) {
        return String.format("%040x", (long) i * 2_654_435_761L & 0xffffffffffL);
    }

    /** Median and best of {@code rounds} timed calls after as many warm-up calls. */
    static void report(String what, int rounds, Supplier<Integer> call) {
        for (int i = 0; i < rounds; i++) {
            call.get();
        }
        double[] ms = new double[rounds];
        int size = 0;
        for (int i = 0; i < rounds; i++) {
            long t = System.nanoTime();
            size = call.get();
            ms[i] = (System.nanoTime() - t) / 1e6;
        }
        Arrays.sort(ms);
        System.out.printf("%-40s median %7.2f ms   best %7.2f ms   p90 %7.2f ms   (%,d)%n", what, ms[rounds / 2], ms[0],
                ms[rounds * 9 / 10], size);
    }
}
