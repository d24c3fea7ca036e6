package dev.kiln.server.notify;

import dev.kiln.server.access.AuditLog;
import dev.kiln.server.secrets.MasterKey;
import dev.kiln.server.secrets.Vault;
import dev.kiln.server.store.Database;
import dev.kiln.spec.api.NotificationRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Bench, not a test ({@code bench/notify-publish.sh}): what {@link Notifications#publish} costs the
 * promotion that calls it, with H hooks wanting the event (default 3) and the sender not running, so
 * only the caller's side is timed. Raw baseline: one audit-log row in the same database, the
 * smallest durable write the server makes (a promotion's state change writes at least one).
 * Median and 95th percentile of N calls (default 300) after 50 of warm-up.
 */
public final class PublishBench {
    public static void main(String[] args) throws Exception {
        int hooks = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        Path dir = Files.createTempDirectory("kiln-bench-notify");
        Clock clock = Clock.systemUTC();
        try (Database db = Database.open(Database.h2Url(dir), null, null)) {
            Notifications notifications = new Notifications(db, new Vault(db, MasterKey.load(dir, null), clock), clock, r -> true);
            for (int i = 0; i < hooks; i++) {
                notifications.add(new NotificationRequest("http://127.0.0.1:9/hook" + i, i % 2 == 1, List.of(), null));
            }
            AuditLog audit = new AuditLog(db, clock);
            Map<String, Object> data = Map.of("promotion", 42, "commit", "0123456789abcdef0123456789abcdef01234567",
                    "gates", List.of(Map.of("gate", "accuracy >= 0.80", "value", 0.91, "verdict", "PASS")));
            long[] publish = new long[n];
            long[] raw = new long[n];
            for (int r = -50; r < n; r++) {
                long t0 = System.nanoTime();
                notifications.publish(Events.AWAITING_APPROVAL, "churn", data);
                long t1 = System.nanoTime();
                audit.record("bench", "promotion.state", "42", "AWAITING_APPROVAL", null);
                long t2 = System.nanoTime();
                if (r >= 0) {
                    publish[r] = t1 - t0;
                    raw[r] = t2 - t1;
                }
            }
            System.out.printf("publish, %d hooks: median %.2f ms, p95 %.2f ms%n", hooks, pct(publish, 50), pct(publish, 95));
            System.out.printf("raw baseline, one audit row: median %.2f ms, p95 %.2f ms%n", pct(raw, 50), pct(raw, 95));
            System.out.printf("ratio (median): %.2fx%n", pct(publish, 50) / pct(raw, 50));
        }
    }

    private static double pct(long[] nanos, int p) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        return s[Math.min(s.length - 1, s.length * p / 100)] / 1e6;
    }
}
