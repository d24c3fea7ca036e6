package dev.kiln.agent.run;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;

/**
 * A step's output with its secrets (the build's registry passwords and {@code secretEnv} values,
 * also base64- and URL-encoded) replaced by {@code ***} before any byte reaches the log; see
 * {@link SecretMasker} for the forms and for how a secret split across reads is caught.
 */
final class Masking extends FilterInputStream {
    static final byte[] MASK = SecretMasker.MASK;

    private final SecretMasker masker;
    private byte[] ready = new byte[0];
    private int readyPos;
    private boolean eof;

    private Masking(InputStream in, SecretMasker masker) {
        super(in);
        this.masker = masker;
    }

    /** {@code in} itself when there is nothing to mask. Secrets under 4 bytes are not masked: they would garble the log. */
    static InputStream wrap(InputStream in, Collection<String> secrets) {
        SecretMasker masker = new SecretMasker(secrets);
        return masker.isEmpty() ? in : new Masking(in, masker);
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
        if (n < 0) {
            eof = true;
            ready = masker.flush();
        } else {
            ready = masker.feed(buf, 0, n);
        }
        readyPos = 0;
    }
}
