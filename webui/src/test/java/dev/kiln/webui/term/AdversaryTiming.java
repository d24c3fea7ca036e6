package dev.kiln.webui.term;

/** Prints the throughput of each hostile pattern of {@link FuzzTest}: a tool for bench/, not a test. */
public final class AdversaryTiming {
    public static void main(String[] args) {
        int size = args.length > 0 ? Integer.parseInt(args[0]) : 8_000_000;
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < FuzzTest.ADVERSARIES.size(); i++) {
                byte[] log = FuzzTest.ADVERSARIES.get(i).apply(size);
                long[] out = new long[2];
                TerminalRenderer r = new TerminalRenderer(line -> {
                    out[0]++;
                    out[1] += line.html().length();
                });
                long start = System.nanoTime();
                for (int off = 0; off < log.length; off += 65_536) {
                    r.write(log, off, Math.min(65_536, log.length - off));
                }
                r.finish();
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf("adversary %d: %.1f MB/s, %d lines, %d chars of HTML%n",
                        i, size / 1e6 / seconds, out[0], out[1]);
            }
        }
    }
}
