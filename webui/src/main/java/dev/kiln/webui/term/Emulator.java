package dev.kiln.webui.term;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Carries out what the parser found on the screen: prints with the current style and link,
 * moves the cursor, erases, and watches printed text for GitLab's section markers.
 */
final class Emulator implements AnsiParser.Actions {
    static final int MAX_URL = 2048;
    private static final int MAX_RUN = 400;

    private final Screen screen;
    private final GroupTracker groups;
    private final boolean watchGitLab;
    private int style = Style.PLAIN;
    private String link;

    // The run of text printed since the last control or escape; GitLab markers are whole runs.
    private final StringBuilder run = new StringBuilder();
    private int runLength;
    private boolean runCandidate;
    private long runLine;
    private int runCol;

    Emulator(Screen screen, GroupTracker groups) {
        this.screen = screen;
        this.groups = groups;
        this.watchGitLab = groups.wantsGitLab();
    }

    @Override
    public void print(int codePoint) {
        if (runLength++ == 0) {
            runCandidate = watchGitLab && codePoint == 's';
            if (runCandidate) {
                runLine = screen.cursorNumber();
                runCol = screen.col();
            }
        }
        if (runCandidate) {
            if (run.length() < MAX_RUN) {
                run.appendCodePoint(codePoint);
            } else {
                runCandidate = false;
            }
        }
        screen.print(codePoint, style, link);
    }

    @Override
    public void printAscii(byte[] bytes, int from, int to) {
        if (runLength == 0) {
            runCandidate = watchGitLab && bytes[from] == 's';
            if (runCandidate) {
                runLine = screen.cursorNumber();
                runCol = screen.col();
            }
        }
        runLength += to - from;
        if (runCandidate) {
            if (run.length() + to - from <= MAX_RUN) {
                for (int i = from; i < to; i++) {
                    run.append((char) bytes[i]);
                }
            } else {
                runCandidate = false;
            }
        }
        screen.printAscii(bytes, from, to, style, link);
    }

    @Override
    public void control(int c) {
        endRun();
        switch (c) {
            case '\n' -> screen.lineFeed();
            case '\r' -> screen.carriageReturn();
            case '\b' -> screen.backspace();
            case '\t' -> screen.tab();
            default -> { }
        }
    }

    @Override
    public void csi(int finalByte, int[] params, int count, long colon) {
        endRun();
        int n = count == 0 || params[0] == 0 ? 1 : params[0];
        int mode = count == 0 ? 0 : params[0];
        switch (finalByte) {
            case 'm' -> style = Style.apply(style, params, count, colon);
            case 'A' -> screen.up(n);
            case 'B' -> screen.down(n);
            case 'C' -> screen.forward(n);
            case 'D' -> screen.back(n);
            case 'E' -> {
                screen.down(n);
                screen.carriageReturn();
            }
            case 'F' -> {
                screen.up(n);
                screen.carriageReturn();
            }
            case 'G' -> screen.column(n - 1);
            // The row of ESC[row;colH is relative to a screen whose height a log does not have:
            // keep the column, which is what redraws on one line rely on.
            case 'H', 'f' -> screen.column(count < 2 || params[1] == 0 ? 0 : params[1] - 1);
            case 'K' -> screen.eraseInLine(mode);
            case 'J' -> screen.eraseInDisplay(mode);
            case 's' -> screen.saveCursor();
            case 'u' -> screen.restoreCursor();
            default -> { }
        }
    }

    @Override
    public void osc(byte[] data, int length) {
        endRun();
        // OSC 8 ; params ; URI: a hyperlink, kept only for http(s). Titles and the rest are dropped.
        if (length < 2 || data[0] != '8' || data[1] != ';') {
            return;
        }
        int uriFrom = 2;
        while (uriFrom < length && data[uriFrom] != ';') {
            uriFrom++;
        }
        if (uriFrom >= length) {
            return;
        }
        uriFrom++;
        String uri = new String(data, uriFrom, length - uriFrom, StandardCharsets.UTF_8);
        link = isSafeUrl(uri) ? uri : null;
    }

    @Override
    public void esc(int finalByte) {
        endRun();
        switch (finalByte) {
            case '7' -> screen.saveCursor();
            case '8' -> screen.restoreCursor();
            case 'M' -> screen.up(1);
            case 'D' -> screen.down(1);
            case 'E' -> screen.lineFeed();
            case 'c' -> {
                style = Style.PLAIN;
                link = null;
            }
            default -> { }
        }
    }

    /** Called before the stream ends or a chunk's caller looks at pending lines. */
    void endRun() {
        if (runLength == 0) {
            return;
        }
        if (runCandidate) {
            Line line = screen.lineAt(runLine);
            if (line != null && groups.onGitLabRun(run, line, runLine)) {
                // GitLab hides the marker text; with its usual "\r\e[0K" after it, it is erased anyway.
                if (line.length() == runCol + runLength && screen.cursorNumber() == runLine) {
                    screen.unprint(runCol);
                }
            }
        }
        run.setLength(0);
        runLength = 0;
        runCandidate = false;
    }

    static boolean isSafeUrl(String uri) {
        if (uri.isEmpty() || uri.length() > MAX_URL) {
            return false;
        }
        String lower = uri.toLowerCase(Locale.ROOT);
        if (!lower.startsWith("http://") && !lower.startsWith("https://")) {
            return false;
        }
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c <= ' ' || c == 0x7f || c == '\ufffd') {
                return false;
            }
        }
        return true;
    }
}
