package dev.kiln.webui.term;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Finds group markers and pairs each start with its end.
 *
 * <p>GitHub's and Buildkite's markers are whole lines, so they are read from a line's final
 * text when it is emitted (colours do not hide them). GitLab's are printed and then erased
 * ({@code section_start:TS:NAME\r\e[0KHeader}), so they are read from the printed text as it
 * arrives, before the erase. Each tool's groups are tracked on their own. Limits keep this
 * O(1) per line: at most {@value #MAX_GITLAB_DEPTH} open GitLab sections and a few events per
 * line; a marker past a limit stays text.
 */
final class GroupTracker {
    static final int MAX_GITLAB_DEPTH = 64;
    static final int MAX_NAME = 256;

    /** Where a line-marker's title starts, its name, and what it does. */
    record LineMarker(GroupEvent.Marker marker, int titleFrom, String name, boolean start, boolean expanded) {}

    private record Open(String name, long line, long time) {}

    private final Set<GroupEvent.Marker> markers;
    private final List<Open> gitlab = new ArrayList<>();
    private Open github;
    private Open buildkite;

    GroupTracker(Set<GroupEvent.Marker> markers) {
        this.markers = markers;
    }

    boolean wantsGitLab() {
        return markers.contains(GroupEvent.Marker.GITLAB);
    }

    /**
     * Called when a line becomes final. Adds the events of a GitHub or Buildkite marker to the
     * line and returns the column its visible content starts at (past the marker).
     */
    int onEmit(Line line, long number) {
        LineMarker m = detect(line);
        if (m == null) {
            return 0;
        }
        Open open = m.marker() == GroupEvent.Marker.GITHUB ? github : buildkite;
        if (!m.start() && open == null) {
            return 0; // an ::endgroup:: with nothing open is just text
        }
        if (!line.canTakeEvents(2)) {
            return 0;
        }
        if (open != null) {
            line.addEvent(new GroupEvent.End(open.line(), millisBetween(open.time(), line.timeMillis)));
        }
        Open next = null;
        if (m.start()) {
            line.addEvent(new GroupEvent.Start(m.name(), m.expanded(), m.marker()));
            next = new Open(m.name(), number, line.timeMillis);
        }
        if (m.marker() == GroupEvent.Marker.GITHUB) {
            github = next;
        } else {
            buildkite = next;
        }
        return m.titleFrom();
    }

    /** The GitHub or Buildkite marker a line holds, or null; reads at most a few hundred cells. */
    LineMarker detect(Line line) {
        if (line.length() < 4) {
            return null;
        }
        int first = line.charAt(0);
        if (first == ':' && markers.contains(GroupEvent.Marker.GITHUB)) {
            if (startsWith(line, "::group::")) {
                return new LineMarker(GroupEvent.Marker.GITHUB, 9, name(line, 9), true, false);
            }
            if (startsWith(line, "::endgroup::") && name(line, 12).isEmpty()) {
                return new LineMarker(GroupEvent.Marker.GITHUB, line.length(), "", false, false);
            }
            return null;
        }
        if ((first == '-' || first == '+' || first == '~') && markers.contains(GroupEvent.Marker.BUILDKITE)
                && line.charAt(1) == first && line.charAt(2) == first && line.charAt(3) == ' ') {
            return new LineMarker(GroupEvent.Marker.BUILDKITE, 4, name(line, 4), true, first == '+');
        }
        return null;
    }

    /**
     * Reads a run of printed text that may be a GitLab marker; if it is, records its events on
     * the line and returns true so the caller can hide the marker text.
     */
    boolean onGitLabRun(CharSequence run, Line line, long number) {
        boolean start;
        int i;
        if (startsWith(run, "section_start:")) {
            start = true;
            i = 14;
        } else if (startsWith(run, "section_end:")) {
            start = false;
            i = 12;
        } else {
            return false;
        }
        int digitsFrom = i;
        while (i < run.length() && i - digitsFrom < 12 && Character.isDigit(run.charAt(i)) && run.charAt(i) < 128) {
            i++;
        }
        if (i == digitsFrom || i >= run.length() || run.charAt(i) != ':') {
            return false;
        }
        long seconds = Long.parseLong(run, digitsFrom, i, 10);
        int nameFrom = ++i;
        while (i < run.length() && isNameChar(run.charAt(i))) {
            i++;
        }
        if (i == nameFrom || i - nameFrom > MAX_NAME) {
            return false;
        }
        String name = run.subSequence(nameFrom, i).toString();
        String options = run.subSequence(i, run.length()).toString();
        if (!options.isEmpty() && !(options.startsWith("[") && options.endsWith("]"))) {
            return false;
        }
        return start ? gitLabStart(name, options.contains("collapsed=true"), line, number, seconds * 1000)
                : gitLabEnd(name, line, seconds * 1000);
    }

    private boolean gitLabStart(String name, boolean collapsed, Line line, long number, long time) {
        if (gitlab.size() >= MAX_GITLAB_DEPTH || !line.canTakeEvents(1)) {
            return false;
        }
        line.addEvent(new GroupEvent.Start(name, !collapsed, GroupEvent.Marker.GITLAB));
        gitlab.add(new Open(name, number, time));
        return true;
    }

    private boolean gitLabEnd(String name, Line line, long time) {
        int k = gitlab.size() - 1;
        while (k >= 0 && !gitlab.get(k).name().equals(name)) {
            k--;
        }
        // Ending an outer section ends the ones inside it, innermost first.
        if (k < 0 || !line.canTakeEvents(gitlab.size() - k)) {
            return false;
        }
        for (int j = gitlab.size() - 1; j >= k; j--) {
            Open open = gitlab.remove(j);
            line.addEvent(new GroupEvent.End(open.line(), millisBetween(open.time(), time)));
        }
        return true;
    }

    private static Optional<Duration> millisBetween(long from, long to) {
        return from >= 0 && to >= from ? Optional.of(Duration.ofMillis(to - from)) : Optional.empty();
    }

    private static boolean isNameChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-';
    }

    private static boolean startsWith(CharSequence s, String prefix) {
        if (s.length() < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (s.charAt(i) != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean startsWith(Line line, String prefix) {
        if (line.length() < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (line.charAt(i) != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static String name(Line line, int from) {
        StringBuilder s = new StringBuilder();
        int end = Math.min(line.length(), from + MAX_NAME);
        for (int x = from; x < end; x++) {
            s.appendCodePoint(line.charAt(x));
        }
        return s.toString().strip();
    }
}
