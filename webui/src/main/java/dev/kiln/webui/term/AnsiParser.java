package dev.kiln.webui.term;

/**
 * Splits a byte stream into printable code points, controls and escape sequences, keeping its
 * state between chunks so a UTF-8 character or an escape may be cut anywhere.
 *
 * <p>Follows the shape of the DEC/ECMA-48 parser (ground, escape, CSI, OSC, string states)
 * with limits so that hostile input costs O(1) per byte: a CSI longer than
 * {@value #MAX_CSI} bytes, an OSC or DCS/APC string longer than {@value #MAX_STRING}, or any
 * control other than its terminator inside one, abandons the sequence and carries on in the
 * ground state, so a broken escape never swallows more than that much of the log.
 */
final class AnsiParser {
    /** What the parser found, in order. */
    interface Actions {
        void print(int codePoint);

        /** Printable ASCII bytes {@code [from, to)} in a row: the common case, taken in one call. */
        void printAscii(byte[] bytes, int from, int to);

        /** A C0 control the renderer acts on: {@code \n}, {@code \r}, {@code \b} or {@code \t}. */
        void control(int c);

        /** A CSI sequence without private marker or intermediates; params beyond the cap are dropped. */
        void csi(int finalByte, int[] params, int count, long colon);

        void osc(byte[] data, int length);

        /** A two-byte escape {@code ESC x}. */
        void esc(int finalByte);
    }

    static final int MAX_CSI = 256;
    static final int MAX_STRING = 4096;
    static final int MAX_PARAMS = 32;
    private static final int MAX_PARAM_VALUE = 65_535;

    private static final int GROUND = 0, ESC = 1, ESC_INTERMEDIATE = 2, CSI = 3, OSC = 4, OSC_ESC = 5,
            STRING = 6, STRING_ESC = 7;

    private final Actions actions;
    private int state = GROUND;

    private int utf8Need;
    private int utf8CodePoint;
    private int utf8Min;

    private final int[] params = new int[MAX_PARAMS];
    private int paramCount;
    private long colon;
    private boolean paramStarted;
    private boolean ignoreSequence;
    private int sequenceLength;

    private final byte[] string = new byte[MAX_STRING];
    private int stringLength;

    AnsiParser(Actions actions) {
        this.actions = actions;
    }

    void feed(byte[] bytes, int offset, int length) {
        int end = offset + length;
        int i = offset;
        while (i < end) {
            if (state == GROUND && utf8Need == 0) {
                int j = i;
                while (j < end && bytes[j] >= 0x20 && bytes[j] < 0x7f) {
                    j++;
                }
                if (j > i) {
                    actions.printAscii(bytes, i, j);
                    i = j;
                    continue;
                }
            }
            step(bytes[i++] & 0xff);
        }
    }

    /** Ends the stream: a cut UTF-8 character becomes U+FFFD, an unfinished escape is dropped. */
    void finish() {
        if (utf8Need > 0) {
            utf8Need = 0;
            actions.print(0xfffd);
        }
        state = GROUND;
    }

    private void step(int b) {
        switch (state) {
            case GROUND -> ground(b);
            case ESC -> escape(b);
            case ESC_INTERMEDIATE -> escapeIntermediate(b);
            case CSI -> csi(b);
            case OSC, STRING -> string(b);
            case OSC_ESC, STRING_ESC -> stringEscape(b);
            default -> throw new IllegalStateException();
        }
    }

    private void ground(int b) {
        if (utf8Need > 0) {
            if ((b & 0xc0) == 0x80) {
                utf8CodePoint = utf8CodePoint << 6 | b & 0x3f;
                if (--utf8Need == 0) {
                    int cp = utf8CodePoint;
                    boolean valid = cp >= utf8Min && cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff);
                    printDecoded(valid ? cp : 0xfffd);
                }
                return;
            }
            utf8Need = 0;
            actions.print(0xfffd);
        }
        if (b < 0x20 || b == 0x7f) {
            c0(b);
        } else if (b < 0x80) {
            actions.print(b);
        } else if (b >= 0xc2 && b <= 0xdf) {
            startUtf8(b & 0x1f, 1, 0x80);
        } else if (b >= 0xe0 && b <= 0xef) {
            startUtf8(b & 0x0f, 2, 0x800);
        } else if (b >= 0xf0 && b <= 0xf4) {
            startUtf8(b & 0x07, 3, 0x10000);
        } else {
            actions.print(0xfffd);
        }
    }

    private void startUtf8(int bits, int need, int min) {
        utf8CodePoint = bits;
        utf8Need = need;
        utf8Min = min;
    }

    private void printDecoded(int cp) {
        // C1 controls (U+0080-U+009F) would be invisible in HTML and mean nothing in a log.
        if (cp >= 0x80 && cp < 0xa0) {
            return;
        }
        actions.print(cp);
    }

    private void c0(int b) {
        switch (b) {
            case 0x1b -> enterEscape();
            case '\n', '\r', '\b', '\t' -> actions.control(b);
            case 0x0b, 0x0c -> actions.control('\n'); // VT and FF move down like LF
            default -> { } // BEL, NUL, DEL and the rest print nothing
        }
    }

    private void enterEscape() {
        state = ESC;
        sequenceLength = 0;
    }

    private void escape(int b) {
        if (b == 0x1b) {
            return;
        }
        if (b < 0x20 || b >= 0x7f) {
            abandon(b);
            return;
        }
        switch (b) {
            case '[' -> {
                state = CSI;
                paramCount = 0;
                colon = 0;
                paramStarted = false;
                ignoreSequence = false;
                params[0] = 0;
            }
            case ']' -> {
                state = OSC;
                stringLength = 0;
            }
            case 'P', 'X', '^', '_' -> {
                state = STRING;
                stringLength = 0;
            }
            default -> {
                if (b < 0x30) {
                    state = ESC_INTERMEDIATE; // ESC ( B and kin: charset designations, ignored
                } else {
                    state = GROUND;
                    actions.esc(b);
                }
            }
        }
    }

    private void escapeIntermediate(int b) {
        if (b >= 0x20 && b < 0x30 && ++sequenceLength < 8) {
            return;
        }
        if (b >= 0x30 && b < 0x7f) {
            state = GROUND;
            return;
        }
        abandon(b);
    }

    private void csi(int b) {
        if (++sequenceLength > MAX_CSI) {
            abandon(b);
            return;
        }
        if (b >= '0' && b <= '9') {
            if (paramCount < MAX_PARAMS) {
                params[paramCount] = Math.min(MAX_PARAM_VALUE, params[paramCount] * 10 + (b - '0'));
                paramStarted = true;
            }
        } else if (b == ';' || b == ':') {
            nextParam(b == ':');
        } else if (b >= 0x3c && b <= 0x3f) {
            ignoreSequence = true; // private marker: ESC[?25l and the like
        } else if (b >= 0x20 && b < 0x30) {
            ignoreSequence = true; // intermediates: not a sequence we act on
        } else if (b >= 0x40 && b < 0x7f) {
            if (paramStarted && paramCount < MAX_PARAMS) {
                paramCount++;
            }
            state = GROUND;
            if (!ignoreSequence) {
                actions.csi(b, params, paramCount, colon);
            }
        } else {
            abandon(b);
        }
    }

    private void nextParam(boolean isColon) {
        if (paramCount >= MAX_PARAMS) {
            return;
        }
        paramCount++;
        paramStarted = true; // an empty parameter still counts: ESC[;5H
        if (paramCount < MAX_PARAMS) {
            params[paramCount] = 0;
            if (isColon && paramCount < 64) {
                colon |= 1L << paramCount;
            }
        }
    }

    private void string(int b) {
        if (b == 0x07) {
            finishString();
        } else if (b == 0x1b) {
            state = state == OSC ? OSC_ESC : STRING_ESC;
        } else if (b < 0x20) {
            abandon(b);
        } else if (stringLength < MAX_STRING) {
            string[stringLength++] = (byte) b;
        } else {
            abandon(b);
        }
    }

    private void stringEscape(int b) {
        if (b == '\\') {
            state = state == OSC_ESC ? OSC : STRING;
            finishString();
        } else {
            // Not a string terminator: drop the string and read this as a new escape.
            state = ESC;
            escape(b);
        }
    }

    private void finishString() {
        boolean osc = state == OSC;
        state = GROUND;
        if (osc) {
            actions.osc(string, stringLength);
        }
    }

    /** Drops the sequence in progress and reads b afresh in the ground state. */
    private void abandon(int b) {
        state = GROUND;
        ground(b);
    }
}
