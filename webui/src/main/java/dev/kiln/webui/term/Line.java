package dev.kiln.webui.term;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One line of the screen: its cells (a code point and a style each), the hyperlinks they point
 * to, and the group events found while it was written.
 *
 * <p>Every operation is O(1) amortised per cell it creates, so no input can make the renderer
 * quadratic: erasing to the end ({@code ESC[K}) or the whole line truncates; erasing to the left
 * ({@code ESC[1K}) records a clear instead of touching cells (see {@link #eraseLeft}).
 */
final class Line {
    static final int BLANK = ' ';
    private static final int MAX_LINKS = 64;
    private static final int MAX_EVENTS = 8;
    private static final int SHRINK_ABOVE = 4096;

    private int[] chars = new int[128];
    private int[] styles = new int[128];
    /** Index + 1 into links per cell, or null while the line has no link. */
    private int[] linkIds;
    private List<String> links;
    private int length;

    /*
     * Erase-to-left without touching cells: each ESC[1K bumps the line's epoch and pushes
     * (epoch, column) on a stack; a cell written at epoch e at column c is blank if any clear
     * with a later epoch reached c. Only the frontier matters (a later clear that reaches
     * further hides an earlier one), so the stack keeps columns strictly decreasing and each
     * push pops what it hides: amortised O(1) per clear, O(log) per cell when rendering.
     */
    private int[] cellEpochs;
    private int epoch;
    private int[] clearEpochs;
    private int[] clearColumns;
    private int clears;

    private List<GroupEvent> events;
    long timeMillis = -1;

    int length() {
        return length;
    }

    /** Writes a code point at column x, padding with blanks; x is below the line cap. */
    void put(int x, int codePoint, int style, String link) {
        ensureCapacity(x + 1);
        if (x > length) {
            Arrays.fill(chars, length, x, BLANK);
            Arrays.fill(styles, length, x, Style.PLAIN);
            if (linkIds != null) {
                Arrays.fill(linkIds, length, x, 0);
            }
            if (cellEpochs != null) {
                Arrays.fill(cellEpochs, length, x, epoch);
            }
        }
        chars[x] = codePoint;
        styles[x] = style;
        if (link != null || linkIds != null) {
            setLink(x, link);
        }
        if (cellEpochs != null) {
            cellEpochs[x] = epoch;
        }
        if (x >= length) {
            length = x + 1;
        }
    }

    /** Writes n ASCII bytes from {@code bytes[from]} at column x on; x + n is within the line cap. */
    void putAscii(int x, byte[] bytes, int from, int n, int style, String link) {
        if (link != null || linkIds != null || x > length) {
            for (int i = 0; i < n; i++) {
                put(x + i, bytes[from + i], style, link);
            }
            return;
        }
        ensureCapacity(x + n);
        for (int i = 0; i < n; i++) {
            chars[x + i] = bytes[from + i];
        }
        Arrays.fill(styles, x, x + n, style);
        if (cellEpochs != null) {
            Arrays.fill(cellEpochs, x, x + n, epoch);
        }
        length = Math.max(length, x + n);
    }

    /** Erases from column x to the end ({@code ESC[K}). */
    void truncate(int x) {
        if (x < length) {
            length = x;
        }
        if (length == 0) {
            clears = 0;
        }
    }

    /** Erases from the start to column x inclusive ({@code ESC[1K}). */
    void eraseLeft(int x) {
        if (x >= length - 1) {
            truncate(0);
            return;
        }
        if (cellEpochs == null) {
            cellEpochs = new int[chars.length];
            clearEpochs = new int[8];
            clearColumns = new int[8];
        }
        if (epoch == Integer.MAX_VALUE) {
            materialiseClears();
        }
        epoch++;
        while (clears > 0 && clearColumns[clears - 1] <= x) {
            clears--;
        }
        if (clears == clearEpochs.length) {
            clearEpochs = Arrays.copyOf(clearEpochs, clears * 2);
            clearColumns = Arrays.copyOf(clearColumns, clears * 2);
        }
        clearEpochs[clears] = epoch;
        clearColumns[clears] = x;
        clears++;
    }

    /** The code point shown at column x, blank where a later clear hides it. */
    int charAt(int x) {
        return hidden(x) ? BLANK : chars[x];
    }

    /** The style shown at column x. */
    int styleAt(int x) {
        return hidden(x) ? Style.PLAIN : styles[x];
    }

    /** The link at column x, or null. */
    String linkAt(int x) {
        if (linkIds == null || hidden(x)) {
            return null;
        }
        int id = linkIds[x];
        return id == 0 ? null : links.get(id - 1);
    }

    private boolean hidden(int x) {
        if (clears == 0) {
            return false;
        }
        // Clears are ordered by epoch ascending and column descending: the first clear later
        // than the cell reaches furthest of those that could hide it.
        int cell = cellEpochs[x];
        int lo = 0, hi = clears;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (clearEpochs[mid] > cell) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo < clears && clearColumns[lo] >= x;
    }

    private void materialiseClears() {
        for (int x = 0; x < length; x++) {
            if (hidden(x)) {
                chars[x] = BLANK;
                styles[x] = Style.PLAIN;
                if (linkIds != null) {
                    linkIds[x] = 0;
                }
            }
        }
        Arrays.fill(cellEpochs, 0);
        epoch = 0;
        clears = 0;
    }

    void addEvent(GroupEvent event) {
        if (events == null) {
            events = new ArrayList<>(2);
        }
        events.add(event);
    }

    boolean canTakeEvents(int n) {
        return (events == null ? 0 : events.size()) + n <= MAX_EVENTS;
    }

    List<GroupEvent> events() {
        return events == null ? List.of() : events;
    }

    /** Empties the line for reuse, dropping arrays that a very long line made large. */
    void reset() {
        if (chars.length > SHRINK_ABOVE) {
            chars = new int[128];
            styles = new int[128];
        }
        linkIds = null;
        links = null;
        cellEpochs = null;
        clearEpochs = null;
        clearColumns = null;
        epoch = 0;
        clears = 0;
        length = 0;
        events = null;
        timeMillis = -1;
    }

    private void setLink(int x, String link) {
        int id = 0;
        if (link != null) {
            if (links == null) {
                links = new ArrayList<>(2);
            }
            // Runs of one link are the norm: compare with the newest before adding.
            if (!links.isEmpty() && links.get(links.size() - 1).equals(link)) {
                id = links.size();
            } else if (links.size() < MAX_LINKS) {
                links.add(link);
                id = links.size();
            }
        }
        if (linkIds == null) {
            linkIds = new int[chars.length];
        }
        linkIds[x] = id;
    }

    private void ensureCapacity(int n) {
        if (n <= chars.length) {
            return;
        }
        int size = Math.max(n, chars.length * 2);
        chars = Arrays.copyOf(chars, size);
        styles = Arrays.copyOf(styles, size);
        if (linkIds != null) {
            linkIds = Arrays.copyOf(linkIds, size);
        }
        if (cellEpochs != null) {
            cellEpochs = Arrays.copyOf(cellEpochs, size);
        }
    }
}
