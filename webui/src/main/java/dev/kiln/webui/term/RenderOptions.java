package dev.kiln.webui.term;

import java.util.EnumSet;
import java.util.Set;

/**
 * Limits and choices of a {@link TerminalRenderer}.
 *
 * @param windowLines how many of the most recent lines may still change (cursor-up reaches no
 *     further); older lines are final and emitted. Default 128.
 * @param maxLineLength cells per line; a longer line wraps onto a new line. Default 65,536.
 * @param windowCells cells held in all unfinished lines together; past it the oldest are
 *     emitted early. Default 262,144 (about 2 MiB).
 * @param markers whose group markers to recognise. Default all; drop {@code BUILDKITE} for
 *     logs full of diffs, whose {@code --- a/file} lines would open groups.
 */
public record RenderOptions(int windowLines, int maxLineLength, int windowCells, Set<GroupEvent.Marker> markers) {
    public RenderOptions {
        if (windowLines < 1 || maxLineLength < 16 || windowCells < maxLineLength) {
            throw new IllegalArgumentException("windowLines >= 1, maxLineLength >= 16, windowCells >= maxLineLength");
        }
        markers = markers.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(markers));
    }

    public static RenderOptions defaults() {
        return new RenderOptions(128, 65_536, 262_144, EnumSet.allOf(GroupEvent.Marker.class));
    }

    public RenderOptions withWindowLines(int n) {
        return new RenderOptions(n, maxLineLength, windowCells, markers);
    }

    public RenderOptions withMaxLineLength(int n) {
        return new RenderOptions(windowLines, n, Math.max(windowCells, n), markers);
    }

    public RenderOptions withMarkers(Set<GroupEvent.Marker> m) {
        return new RenderOptions(windowLines, maxLineLength, windowCells, m);
    }
}
