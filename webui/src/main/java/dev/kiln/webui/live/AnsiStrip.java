package dev.kiln.webui.live;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A log without its terminal escapes: CSI ({@code ESC [ ... final}), OSC and other strings
 * ({@code ESC ] ... BEL or ESC \}) and two-byte escapes are dropped; text, {@code \r} and
 * {@code \n} pass as they are. Streams in constant memory.
 */
public final class AnsiStrip extends FilterInputStream {
    private enum State { TEXT, ESC, CSI, STRING, STRING_ESC }

    private State state = State.TEXT;

    public AnsiStrip(InputStream in) {
        super(in);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n;
        while ((n = read(one, 0, 1)) == 0) {
            // keep reading until a byte passes or the stream ends
        }
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        while (true) {
            int n = in.read(b, off, len);
            if (n <= 0) {
                return n;
            }
            int w = off;
            for (int i = off; i < off + n; i++) {
                int c = b[i] & 0xff;
                switch (state) {
                    case TEXT -> {
                        if (c == 0x1b) {
                            state = State.ESC;
                        } else {
                            b[w++] = b[i];
                        }
                    }
                    case ESC -> state = c == '[' ? State.CSI : c == ']' || c == 'P' || c == '_' || c == '^' || c == 'X'
                            ? State.STRING : State.TEXT;
                    case CSI -> {
                        if (c >= 0x40 && c <= 0x7e) {
                            state = State.TEXT;
                        }
                    }
                    case STRING -> state = c == 0x07 ? State.TEXT : c == 0x1b ? State.STRING_ESC : State.STRING;
                    case STRING_ESC -> state = c == '\\' ? State.TEXT : State.STRING;
                }
            }
            if (w > off) {
                return w - off;
            }
        }
    }

    @Override
    public long skip(long n) throws IOException {
        throw new IOException("AnsiStrip does not skip");
    }

    @Override
    public boolean markSupported() {
        return false;
    }
}
