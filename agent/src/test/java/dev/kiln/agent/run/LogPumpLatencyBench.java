package dev.kiln.agent.run;

import java.io.InputStream;
import java.util.concurrent.locks.LockSupport;

/**
 * Bench, not a test ({@code bench/log-latency.sh}): a step's log sent to a server whose every append
 * takes a round trip of R µs (an agent on another machine), as a process step's 200 MB of output
 * (`yes | head -c`, small writes into a pipe) goes through {@link LogPump}; beside the raw baseline,
 * the same command's output read to its end and dropped. Prints MB/s, appends and their mean size,
 * for each R given (default 0 and 1000), best of 3 each.
 */
public final class LogPumpLatencyBench {
    private static final String CMD = "yes 'line of ml training log 0123456789' | head -c 200000000";

    public static void main(String[] args) throws Exception {
        long[] rtts = args.length == 0 ? new long[] {0, 1000} : java.util.Arrays.stream(args).mapToLong(Long::parseLong).toArray();
        double raw = 0;
        for (int i = 0; i < 3; i++) {
            Process p = start();
            long t0 = System.nanoTime();
            long n = 0;
            byte[] buf = new byte[1 << 20];
            try (InputStream in = p.getInputStream()) {
                for (int r; (r = in.read(buf)) > 0; ) {
                    n += r;
                }
            }
            p.waitFor();
            raw = Math.max(raw, n / ((System.nanoTime() - t0) / 1e9) / 1e6);
        }
        System.out.printf("raw: the pipe read to its end, 1 MiB reads: %.0f MB/s%n", raw);
        for (long rtt : rtts) {
            double best = 0;
            long bestCalls = 0;
            for (int i = 0; i < 3; i++) {
                long[] calls = new long[1];
                PartialAgentApi api = new PartialAgentApi() {
                    @Override
                    public long appendLog(String b, String l, int s, long offset, byte[] d, int off, int len) {
                        calls[0]++;
                        long end = System.nanoTime() + rtt * 1000;
                        while (System.nanoTime() < end) {
                            LockSupport.parkNanos(end - System.nanoTime());
                        }
                        return offset + len;
                    }
                };
                Process p = start();
                long t0 = System.nanoTime();
                StepLog log = new StepLog(api, "b", "l", 0);
                new LogPump(log, new LogBudget(LogBudget.DEFAULT_CAP)).pump(p.getInputStream());
                p.waitFor();
                double mbs = log.size() / ((System.nanoTime() - t0) / 1e9) / 1e6;
                if (mbs > best) {
                    best = mbs;
                    bestCalls = calls[0];
                }
            }
            System.out.printf("append round trip %d us: %.0f MB/s (%.2fx raw), %d appends of %.0f KB%n", rtt, best,
                    best / raw, bestCalls, 200_000.0 / bestCalls);
        }
    }

    private static Process start() throws java.io.IOException {
        return new ProcessBuilder("/bin/sh", "-c", CMD).redirectErrorStream(true).start();
    }
}
