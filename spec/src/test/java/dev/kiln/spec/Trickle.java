package dev.kiln.spec;

import java.io.InputStream;

/**
 * Hands out a few bytes to a few KiB per read and never says more is waiting, like a slow pipe, so
 * that a reader of it (the agent's log pump) sends many chunks of odd sizes. Shared by the agent's
 * and the server's tests.
 */
public final class Trickle extends InputStream {
    private final byte[] data;
    private int pos;
    private int turn;

    public Trickle(byte[] data) {
        this.data = data;
    }

    @Override
    public int read() {
        return pos < data.length ? data[pos++] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (pos >= data.length) {
            return -1;
        }
        int n = Math.min(Math.min(len, 1 + (turn++ * 7919) % 8191), data.length - pos);
        System.arraycopy(data, pos, b, off, n);
        pos += n;
        return n;
    }
}
