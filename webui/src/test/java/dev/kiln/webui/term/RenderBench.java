package dev.kiln.webui.term;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Throughput of the terminal renderer on a realistic 200 MB log: plain lines, coloured log
 * lines, tqdm-style progress frames and group markers, fed in 64 KiB chunks as the log store
 * hands them out. A benchmark, not a test: run it with {@code bench/render.sh}.
 */
public final class RenderBench {
    public static void main(String[] args) {
        int megabytes = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        byte[] log = realisticLog(megabytes * 1_000_000);
        System.out.printf("log: %,d bytes%n", log.length);
        double[] rates = new double[rounds];
        for (int round = 0; round < rounds; round++) {
            long[] out = new long[2];
            TerminalRenderer renderer = new TerminalRenderer(line -> {
                out[0]++;
                out[1] += line.html().length();
            });
            long start = System.nanoTime();
            for (int off = 0; off < log.length; off += 65_536) {
                renderer.write(log, off, Math.min(65_536, log.length - off));
            }
            renderer.finish();
            double seconds = (System.nanoTime() - start) / 1e9;
            rates[round] = log.length / 1e6 / seconds;
            System.out.printf("round %d: %.2f s, %.0f MB/s, %,d lines, %,d chars of HTML%n",
                    round + 1, seconds, rates[round], out[0], out[1]);
        }
        Arrays.sort(rates);
        System.out.printf("median %.0f MB/s, best %.0f MB/s%n", rates[rounds / 2], rates[rounds - 1]);
    }

    /** Deterministic: the same bytes on every run. */
    static byte[] realisticLog(int size) {
        byte[] log = new byte[size];
        int filled = 0;
        StringBuilder s = new StringBuilder();
        int i = 0;
        while (filled < size) {
            s.setLength(0);
            switch (i % 10) {
                case 0, 1, 2, 3 -> s.append("line of ml training log 0123456789 step=").append(i).append(" loss=0.")
                        .append(i % 9973).append('\n');
                case 4, 5 -> s.append("\u001b[32mINFO\u001b[0m [2026-11-27T10:00:").append(i % 60)
                        .append("Z] \u001b[1mworker-3\u001b[22m fetched \u001b[38;5;208m").append(i)
                        .append("\u001b[39m objects from https://example.com/repo <ok> & done\n");
                case 6 -> s.append("\u001b[31;1mERROR\u001b[0m something \u001b[38;2;200;120;40mfailed\u001b[0m: code ")
                        .append(i % 255).append('\n');
                case 7 -> {
                    // A tqdm bar: 20 frames redrawn with \r, then a newline.
                    for (int f = 0; f <= 20; f++) {
                        s.append("\repoch ").append(i % 100).append(": ").append(f * 5).append("%|")
                                .append("█".repeat(f)).append(" ".repeat(20 - f)).append("| ").append(f)
                                .append("/20 [00:01<00:00, 12.3it/s]");
                    }
                    s.append('\n');
                }
                case 8 -> s.append(i % 1000 == 8 ? "::group::Run tests " + i + "\n" : "\ttest_case_" + i + " PASSED\n");
                default -> s.append(i % 1000 == 9 ? "::endgroup::\n" : "    at dev.kiln.Foo.bar(Foo.java:" + i % 400 + ")\n");
            }
            byte[] b = s.toString().getBytes(StandardCharsets.UTF_8);
            int n = Math.min(b.length, size - filled);
            System.arraycopy(b, 0, log, filled, n);
            filled += n;
            i++;
        }
        return log;
    }
}
