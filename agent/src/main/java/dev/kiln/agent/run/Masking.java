package dev.kiln.agent.run;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * Replaces secrets (the build's registry passwords) in a step's output with {@code ***} before any
 * byte reaches the log. A secret may arrive split across reads, so the end of what was read is
 * held back only while it could still be the start of one, and everything else passes at once.
 */
final class Masking extends FilterInputStream {
    static final byte[] MASK = "***".getBytes(StandardCharsets.UTF_8);

    private final List<byte[]> secrets;
    private byte[] pending = new byte[0];
    private byte[] ready = new byte[0];
    private int readyPos;
    private boolean eof;

    private Masking(InputStream in, List<byte[]> secrets) {
        super(in);
        this.secrets = secrets;
    }

    /** {@code in} itself when there is nothing to mask. Secrets under 4 bytes are not masked: they would garble the log. */
    static InputStream wrap(InputStream in, Collection<String> secrets) {
        List<byte[]> bytes = secrets.stream().filter(s -> s != null && s.length() >= 4)
                .map(s -> s.getBytes(StandardCharsets.UTF_8)).toList();
        return bytes.isEmpty() ? in : new Masking(in, bytes);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        while (readyPos == ready.length) {
            if (eof) {
                return -1;
            }
            fill();
        }
        int n = Math.min(len, ready.length - readyPos);
        System.arraycopy(ready, readyPos, b, off, n);
        readyPos += n;
        return n;
    }

    @Override
    public int available() throws IOException {
        return ready.length - readyPos;
    }

    private void fill() throws IOException {
        byte[] buf = new byte[64 * 1024];
        int n = in.read(buf, 0, buf.length);
        byte[] data;
        if (n < 0) {
            eof = true;
            data = pending;
        } else {
            data = new byte[pending.length + n];
            System.arraycopy(pending, 0, data, 0, pending.length);
            System.arraycopy(buf, 0, data, pending.length, n);
        }
        byte[] masked = mask(data);
        int keep = eof ? 0 : heldBack(masked);
        ready = Arrays.copyOf(masked, masked.length - keep);
        pending = Arrays.copyOfRange(masked, masked.length - keep, masked.length);
        readyPos = 0;
    }

    private byte[] mask(byte[] data) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(data.length);
        int i = 0;
        outer:
        while (i < data.length) {
            for (byte[] s : secrets) {
                if (startsWith(data, i, s, s.length)) {
                    out.write(MASK, 0, MASK.length);
                    i += s.length;
                    continue outer;
                }
            }
            out.write(data[i++]);
        }
        return out.toByteArray();
    }

    /** The length of the longest tail of {@code data} that is a proper start of some secret. */
    private int heldBack(byte[] data) {
        int best = 0;
        for (byte[] s : secrets) {
            for (int k = Math.min(s.length - 1, data.length); k > best; k--) {
                if (startsWith(data, data.length - k, s, k)) {
                    best = k;
                    break;
                }
            }
        }
        return best;
    }

    private static boolean startsWith(byte[] data, int at, byte[] s, int len) {
        if (at + len > data.length) {
            return false;
        }
        for (int j = 0; j < len; j++) {
            if (data[at + j] != s[j]) {
                return false;
            }
        }
        return true;
    }
}
