package dev.kiln.server.results;

import dev.kiln.server.logs.LogStore;
import dev.kiln.spec.metrics.MetricsReport;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Bench, not a test ({@code bench/log-metrics.sh}): what reading a step's {@code ::metric} lines
 * from its stored log at the step's end costs, for a log of N MB (default 200) of training output
 * with a metric line every 10,000 lines, beside the raw baseline: reading the same file through the
 * same 64 KiB buffer and doing nothing with it. Best of R rounds (default 5) after one warm-up.
 */
public final class LogScanBench {
    public static void main(String[] args) throws Exception {
        long mb = args.length > 0 ? Long.parseLong(args[0]) : 200;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Path dir = Files.createTempDirectory("kiln-bench-scan");
        LogStore logs = new LogStore(dir);
        Path file = logs.file("b", 0);
        Files.createDirectories(file.getParent());
        byte[] line = "epoch 3 batch 120 loss 0.4213 lr 0.001 ............................\n".getBytes(StandardCharsets.UTF_8);
        long lines = 0;
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            while (lines * line.length < mb * 1_000_000) {
                out.write(line);
                if (++lines % 10_000 == 0) {
                    out.write(("::metric loss_" + lines / 10_000 + "=0." + lines + "\n").getBytes(StandardCharsets.UTF_8));
                }
            }
        }
        long size = Files.size(file);
        LogMetrics scan = new LogMetrics(logs, null, null);
        long bestScan = Long.MAX_VALUE;
        long bestRaw = Long.MAX_VALUE;
        int found = 0;
        for (int r = 0; r <= rounds; r++) {
            long t0 = System.nanoTime();
            MetricsReport report = scan.scan("b", 0);
            long t1 = System.nanoTime();
            found = report.metrics().size();
            long sink = 0;
            byte[] buf = new byte[1 << 16];
            try (InputStream in = logs.open("b", 0, 0)) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    sink += n;
                }
            }
            long t2 = System.nanoTime();
            if (sink != size) {
                throw new IllegalStateException("read " + sink + " of " + size);
            }
            if (r > 0) {
                bestScan = Math.min(bestScan, t1 - t0);
                bestRaw = Math.min(bestRaw, t2 - t1);
            }
        }
        System.out.printf("log %d bytes, %d metric lines found%n", size, found);
        System.out.printf("scan for ::metric lines: %.1f ms (%.0f MB/s)%n", bestScan / 1e6, size / 1e6 / (bestScan / 1e9));
        System.out.printf("raw read, same buffer:   %.1f ms (%.0f MB/s)%n", bestRaw / 1e6, size / 1e6 / (bestRaw / 1e9));
        System.out.printf("ratio: %.2fx%n", (double) bestScan / bestRaw);
        logs.delete("b");
        Files.deleteIfExists(dir);
    }
}
