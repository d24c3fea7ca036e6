package dev.kiln.server.secrets;

import dev.kiln.agent.run.SecretMasker;
import dev.kiln.server.logs.LogStore;
import dev.kiln.spec.protocol.AgentApi.LogGapException;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The server's own masking of what agents send, so that an agent that forgets (or refuses) to mask
 * cannot get a secret into a stored or streamed log: each chunk of a build that has secrets passes
 * a {@link SecretMasker} per step, which holds back a tail that could start a secret until the next
 * chunk or the step's end.
 *
 * <p>Offsets. An agent's offsets count the bytes it sent; the stored log may be shorter (a secret
 * became {@code ***}, a tail is held back). So for such a build the server keeps, per step, how
 * many of the agent's bytes it has taken ({@code taken}) and answers every append with that: the
 * agent's count, which it sends back as its next offset. A resend (offset below {@code taken})
 * skips what was taken, a gap (above) is refused with {@code taken}, exactly as {@link LogStore}
 * does for builds without secrets, which keep going straight to it. An agent that masked already
 * sends no secret, so nothing here changes a byte, and the stored size equals {@code taken} minus
 * the held tail. After a server restart the count starts from the stored size: the agent's next
 * append is then a gap, and it resumes from there (the held tail, a few bytes, is lost, as bytes in
 * flight are at a restart).
 */
public final class LogMasks {
    private static final class StepMask {
        final SecretMasker masker;
        long taken;

        StepMask(SecretMasker masker, long taken) {
            this.masker = masker;
            this.taken = taken;
        }
    }

    private final LogStore logs;
    /** The values a build's logs must not show; recomputed after a restart from the build's plan. */
    private final Function<String, List<String>> valuesOf;
    private final Map<String, List<String>> values = new ConcurrentHashMap<>();
    private final Map<String, StepMask> steps = new ConcurrentHashMap<>();

    public LogMasks(LogStore logs, Function<String, List<String>> valuesOf) {
        this.logs = logs;
        this.valuesOf = valuesOf;
    }

    /** The values a build just leased carries: its logs are masked for them. */
    public void leased(String buildId, List<String> masked) {
        values.put(buildId, List.copyOf(masked));
    }

    /**
     * {@code texts} as the build's logs would show them: an agent's warnings quote what a step
     * wrote (a metrics file's values, a file name), so they are masked like its log.
     */
    public List<String> maskAll(String buildId, List<String> texts) {
        List<String> secrets = values.computeIfAbsent(buildId, valuesOf);
        if (secrets.isEmpty() || texts == null) {
            return texts;
        }
        SecretMasker masker = new SecretMasker(secrets);
        return texts.stream().map(masker::maskText).toList();
    }

    /** Appends an agent's chunk, masked; returns how many of the agent's bytes of this step the server has taken. */
    public long append(String buildId, int step, long offset, byte[] data, int off, int len, long timeMillis)
            throws IOException {
        List<String> secrets = values.computeIfAbsent(buildId, valuesOf);
        if (secrets.isEmpty()) {
            return logs.append(buildId, step, offset, data, off, len, timeMillis);
        }
        StepMask m = steps.computeIfAbsent(key(buildId, step), k -> new StepMask(new SecretMasker(secrets),
                logs.size(buildId, step)));
        synchronized (m) {
            if (offset > m.taken) {
                throw new LogGapException(m.taken);
            }
            long skip = m.taken - offset;
            if (skip >= len) {
                return m.taken;
            }
            byte[] out = m.masker.feed(data, off + (int) skip, len - (int) skip);
            if (out.length > 0) {
                logs.appendAtEnd(buildId, step, out, 0, out.length, timeMillis);
            }
            m.taken += len - skip;
            return m.taken;
        }
    }

    /** The step's log is complete: what was held back is stored (it can no longer start a secret). */
    public void stepEnded(String buildId, int step) throws IOException {
        StepMask m = steps.remove(key(buildId, step));
        if (m != null) {
            synchronized (m) {
                byte[] rest = m.masker.flush();
                if (rest.length > 0) {
                    logs.appendAtEnd(buildId, step, rest, 0, rest.length, System.currentTimeMillis());
                }
            }
        }
    }

    /** Forgets a build that ended: its values leave the server's memory. */
    public void buildEnded(String buildId) {
        for (String k : List.copyOf(steps.keySet())) {
            if (k.startsWith(buildId + "#")) {
                try {
                    stepEnded(buildId, Integer.parseInt(k.substring(buildId.length() + 1)));
                } catch (IOException e) {
                    steps.remove(k);   // the tail of a log that cannot be written any more
                }
            }
        }
        values.remove(buildId);
    }

    private static String key(String buildId, int step) {
        return buildId + "#" + step;
    }
}
