package dev.kiln.server.web;

import dev.kiln.server.logs.LogStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Bench, not a test ({@code bench/search.sh}): search and windows of rows on a {@code MB} log
 * (default 200) written through {@link LogStore} in 1 MiB chunks with times, 1 line in 20 coloured.
 * Baselines on the same file: {@code grep -c -i} (which sees the raw bytes, escapes and all) and
 * {@code wc -l}.
 */
public final class SearchBench {
    public static void main(String[] args) throws Exception {
        long mb = args.length > 0 ? Long.parseLong(args[0]) : 200;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path dir = Files.createTempDirectory("kiln-bench-search");
        LogStore logs = new LogStore(dir);
        StringBuilder chunk = new StringBuilder();
        long written = 0;
        long lines = 0;
        long time = System.currentTimeMillis() - 3_600_000;
        while (written < mb * 1_000_000) {
            chunk.setLength(0);
            while (chunk.length() < (1 << 20) - 200) {
                lines++;
                if (lines % 20 == 0) {
                    chunk.append("\u001b[32mINFO\u001b[0m epoch ").append(lines).append(" loss=0.1234 acc=0.9876\n");
                } else if (lines == 3_000_001) {
                    chunk.append("Traceback: the needle (rare)\n");
                } else {
                    chunk.append("step ").append(lines).append(" of training, batch 128, lr 0.001, samples/s 5321\n");
                }
            }
            byte[] b = chunk.toString().getBytes(StandardCharsets.UTF_8);
            logs.append("b", 0, written, b, 0, b.length, time += 150);
            written += b.length;
        }
        Path file = logs.file("b", 0);
        System.out.printf("log: %,d bytes, %,d lines, %,d time records%n", written, lines, logs.times("b", 0).size());
        for (int r = 0; r < rounds; r++) {
            long t = System.nanoTime();
            LogLookup.Found f = LogLookup.search(logs, "b", 0, "NEEDLE", 1000, System.nanoTime() + 60_000_000_000L);
            double s = (System.nanoTime() - t) / 1e9;
            System.out.printf("search, 1 hit (line %s), whole log:   %6.2f s  %6.0f MB/s%n", f.hits(), s, written / 1e6 / s);
            t = System.nanoTime();
            f = LogLookup.search(logs, "b", 0, "info epoch", 1000, System.nanoTime() + 60_000_000_000L);
            s = (System.nanoTime() - t) / 1e9;
            System.out.printf("search, common word, capped at 1000: %6.3f s  (%s hits, capped %s, scanned %,d bytes)%n", s,
                    f.hits().size(), f.capped(), f.scannedBytes());
            for (long at : List.of(100L, lines / 2, lines - 100)) {
                t = System.nanoTime();
                int n = LogLookup.rows(logs, "b", 0, at - 100, at + 100).size();
                System.out.printf("window of %d rows around line %,d:     %6.3f s%n", n, at, (System.nanoTime() - t) / 1e9);
            }
            t = System.nanoTime();
            dev.kiln.webui.term.TerminalRenderer tr = dev.kiln.webui.term.TerminalRenderer.text(
                    dev.kiln.webui.term.RenderOptions.defaults(), (n, text, tm) -> {});
            logs.scan("b", 0, logs.times("b", 0), 0, written, (b, off, len, at, tm) -> {
                tr.write(b, off, len, tm);
                return true;
            });
            tr.finish();
            s = (System.nanoTime() - t) / 1e9;
            System.out.printf("renderer alone (text, no matching):      %6.2f s  %6.0f MB/s%n", s, written / 1e6 / s);
            System.out.printf("baseline grep -c -i needle:              %6.2f s%n", run("grep", "-c", "-i", "needle", file.toString()));
            System.out.printf("baseline wc -l:                          %6.2f s%n", run("wc", "-l", file.toString()));
        }
    }

    static double run(String... cmd) throws Exception {
        long t = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        p.waitFor();
        return (System.nanoTime() - t) / 1e9;
    }
}
