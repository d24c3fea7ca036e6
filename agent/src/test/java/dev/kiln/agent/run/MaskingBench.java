package dev.kiln.agent.run;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * bench/masking.sh: the cost of masking a build's secrets in its log. Pushes MB megabytes of a
 * training log (1 MiB chunks, as the agent sends them) through a {@link SecretMasker} holding three
 * secrets (each also in its base64 and URL forms), beside a plain copy of the same chunks.
 */
public final class MaskingBench {
    public static void main(String[] args) {
        int mb = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        byte[] line = "line of ml training log 0123456789 loss=0.4213 acc=0.8812 lr=3e-4\n".getBytes(StandardCharsets.UTF_8);
        byte[] chunk = new byte[1 << 20];
        for (int i = 0; i < chunk.length; i++) {
            chunk[i] = line[i % line.length];
        }
        List<String> secrets = List.of("hf_kXq93LmZ0aPpT7rW", "ghp_0123456789abcdefABCDEF", "s3cr3t-db/pa55+word");
        long sink = 0;
        for (int r = 0; r < rounds + 1; r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < mb; i++) {
                sink += Arrays.copyOfRange(chunk, 0, chunk.length).length;
            }
            long t1 = System.nanoTime();
            SecretMasker m = new SecretMasker(secrets);
            for (int i = 0; i < mb; i++) {
                sink += m.feed(chunk, 0, chunk.length).length;
            }
            sink += m.flush().length;
            long t2 = System.nanoTime();
            if (r > 0) {   // the first round warms the JIT
                double copy = mb / ((t1 - t0) / 1e9);
                double masked = mb / ((t2 - t1) / 1e9);
                System.out.printf("round %d: masked %.0f MB/s, plain copy (raw baseline) %.0f MB/s, ratio %.1fx%n",
                        r, masked, copy, copy / masked);
            }
        }
        System.out.println("(" + sink + " bytes moved)");
    }
}
