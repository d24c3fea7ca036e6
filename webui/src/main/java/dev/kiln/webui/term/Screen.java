package dev.kiln.webui.term;

/**
 * The lines that may still change and the cursor on them: a window of the most recent lines
 * of the log, in a ring. A line leaves the window, final, when it scrolls past the window's top
 * or when the window holds too many cells; it is then handed to the {@link Sink}.
 *
 * <p>Every operation is O(1) amortised, except {@code ESC[1J}, which is O(window lines).
 */
final class Screen {
    /** Receives each line as it becomes final, in order; the line is reused afterwards. */
    interface Sink {
        void emit(Line line, long number);
    }

    /** How far past a line's end the cursor may move: bounds the blanks one escape can make. */
    static final int MOVE_PAST_END = 256;

    private final Line[] ring; // a power of two long, so that slots are found with a mask
    private final int mask;
    private final int windowLines;
    private final int maxWidth;
    private final int windowCells;
    private final Sink sink;
    private int head;
    private int size;
    private long firstNumber = 1;
    private int row;
    private int col;
    private long cells;
    private Line spare;
    private long savedNumber = 1;
    private int savedCol;
    long now = -1;

    Screen(RenderOptions options, Sink sink) {
        this.windowLines = options.windowLines();
        this.ring = new Line[Integer.highestOneBit(windowLines - 1 | 1) << 1];
        this.mask = ring.length - 1;
        this.maxWidth = options.maxLineLength();
        this.windowCells = options.windowCells();
        this.sink = sink;
    }

    /** Line number of the cursor's line. */
    long cursorNumber() {
        ensureLine();
        return firstNumber + row;
    }

    int col() {
        return col;
    }

    /** The window line with that number, or null if it has left the window. */
    Line lineAt(long number) {
        long r = number - firstNumber;
        return r >= 0 && r < size ? ring[(int) ((head + r) & mask)] : null;
    }

    void print(int codePoint, int style, String link) {
        if (col >= maxWidth) {
            lineFeed();
        }
        Line line = current();
        if (line.timeMillis < 0) {
            line.timeMillis = now; // a line's time is its first character's, not its newline's
        }
        int before = line.length();
        line.put(col++, codePoint, style, link);
        grew(line.length() - before);
    }

    /** Prints ASCII bytes {@code [from, to)}, wrapping at the line cap like {@link #print}. */
    void printAscii(byte[] bytes, int from, int to, int style, String link) {
        while (from < to) {
            if (col >= maxWidth) {
                lineFeed();
            }
            Line line = current();
            if (line.timeMillis < 0) {
                line.timeMillis = now;
            }
            int n = Math.min(to - from, maxWidth - col);
            int before = line.length();
            line.putAscii(col, bytes, from, n, style, link);
            col += n;
            from += n;
            grew(line.length() - before);
        }
    }

    void carriageReturn() {
        col = 0;
    }

    void lineFeed() {
        ensureLine();
        if (row == size - 1) {
            if (size == windowLines) {
                emitHead();
            }
            append();
            row = size - 1;
        } else {
            row++;
        }
        col = 0;
    }

    void backspace() {
        col = Math.max(0, Math.min(col, maxWidth) - 1);
    }

    void tab() {
        col = clampColumn((col / 8 + 1) * 8);
    }

    void up(int n) {
        ensureLine();
        row = Math.max(0, row - n);
    }

    /** Moves down, stopping at the last line as a terminal stops at the bottom of its screen. */
    void down(int n) {
        ensureLine();
        row = (int) Math.min(size - 1L, (long) row + n);
    }

    void forward(int n) {
        col = clampColumn((long) col + n);
    }

    void back(int n) {
        col = Math.max(0, col - n);
    }

    /** Moves to a 0-based column. */
    void column(int n) {
        col = clampColumn(n);
    }

    void saveCursor() {
        savedNumber = cursorNumber();
        savedCol = col;
    }

    void restoreCursor() {
        ensureLine();
        row = (int) Math.max(0, Math.min(size - 1, savedNumber - firstNumber));
        col = clampColumn(savedCol);
    }

    /** {@code ESC[nK}: 0 to the end, 1 to the start (inclusive), 2 the whole line. */
    void eraseInLine(int mode) {
        Line line = current();
        int before = line.length();
        switch (mode) {
            case 0 -> line.truncate(col);
            case 1 -> line.eraseLeft(col);
            case 2 -> line.truncate(0);
            default -> { }
        }
        grew(line.length() - before);
    }

    /** Takes back text just printed: erases the cursor's line from column x and moves there. */
    void unprint(int x) {
        Line line = current();
        int before = line.length();
        line.truncate(x);
        col = Math.min(col, x);
        grew(line.length() - before);
    }

    /**
     * {@code ESC[nJ}. 0 erases to the end of the screen: the lines below the cursor go, as
     * blank lines would print as nothing. 1 erases to the cursor. 2 and 3 would wipe what a
     * person already saw; a log keeps it, so they make every line final and start afresh.
     */
    void eraseInDisplay(int mode) {
        ensureLine();
        switch (mode) {
            case 0 -> {
                eraseInLine(0);
                // Blank lines at the bottom go; one that carries a group marker stays, empty.
                for (int r = size - 1; r > row; r--) {
                    int slot = (head + r) & mask;
                    Line line = ring[slot];
                    cells -= line.length();
                    line.truncate(0);
                    if (r == size - 1 && line.events().isEmpty()) {
                        ring[slot] = null;
                        size--;
                    }
                }
            }
            case 1 -> {
                for (int r = 0; r < row; r++) {
                    Line line = ring[(head + r) & mask];
                    cells -= line.length();
                    line.truncate(0);
                }
                eraseInLine(1);
            }
            case 2, 3 -> {
                while (size > 1) {
                    emitHead();
                }
                if (current().length() > 0) {
                    emitHead();
                    ensureLine();
                }
                row = 0;
                col = 0;
            }
            default -> { }
        }
    }

    /** Emits every line; a last line left empty (a log ending in a newline) is not a line. */
    void finish() {
        if (size > 0) {
            Line last = ring[(head + size - 1) & mask];
            if (last.length() == 0 && last.events().isEmpty()) {
                size--;
            }
        }
        while (size > 0) {
            emitHead();
        }
        row = 0;
        col = 0;
    }

    /** Calls the sink for each unfinished line without making it final. */
    void forEachPending(Sink visitor) {
        for (int r = 0; r < size; r++) {
            visitor.emit(ring[(head + r) & mask], firstNumber + r);
        }
    }

    private Line current() {
        ensureLine();
        return ring[(head + row) & mask];
    }

    private void ensureLine() {
        if (size == 0) {
            append();
            row = 0;
        }
    }

    private void append() {
        Line line = spare != null ? spare : new Line();
        spare = null;
        ring[(head + size) & mask] = line;
        size++;
    }

    private void emitHead() {
        Line line = ring[head];
        ring[head] = null;
        head = (head + 1) & mask;
        size--;
        cells -= line.length();
        sink.emit(line, firstNumber++);
        line.reset();
        spare = line;
        if (row > 0) {
            row--;
        }
    }

    private void grew(int delta) {
        cells += delta;
        // Past the budget the oldest lines go early, even the cursor's: memory stays bounded
        // whatever the input, and only input built to hit the limit notices.
        while (cells > windowCells && size > 1) {
            emitHead();
        }
    }

    private int clampColumn(long target) {
        int end = Math.max(current().length(), col);
        long limit = Math.min((long) end + MOVE_PAST_END, maxWidth - 1L);
        return (int) Math.max(0, Math.min(target, Math.max(limit, col)));
    }
}
