package dev.kiln.webui.term;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A collapsible group opening or closing at a line, found from the markers CI tools print.
 *
 * <p>A group's body is the lines after the line carrying its {@link Start} up to the line
 * before the one carrying its {@link End}. The start line is the group's header (its HTML is
 * the title, marker removed); the end line is the closing marker, usually empty, or for
 * Buildkite the next group's header. GitLab sections nest; GitHub and Buildkite groups do not,
 * so a new one ends the one open. A group still open when the log ends runs to its end.
 */
public sealed interface GroupEvent {

    /** Which tool's markers a group came from. */
    enum Marker {
        /** {@code ::group::NAME} and {@code ::endgroup::}. */
        GITHUB,
        /** {@code section_start:UNIX_SECONDS:NAME[collapsed=true]} and {@code section_end:UNIX_SECONDS:NAME}. */
        GITLAB,
        /** {@code --- NAME} (collapsed), {@code +++ NAME} (expanded), {@code ~~~ NAME} (collapsed). */
        BUILDKITE
    }

    /**
     * A group opens at this line.
     *
     * @param name the marker's name as plain text, not HTML: escape it before use
     * @param expanded whether the tool asks for the group to be shown open
     */
    record Start(String name, boolean expanded, Marker marker) implements GroupEvent {
        public Start {
            Objects.requireNonNull(name);
            Objects.requireNonNull(marker);
        }
    }

    /**
     * The group that opened at {@code startLine} closes before this line.
     *
     * @param duration from the start marker to the end marker: GitLab's own timestamps, or else
     *     the times given to {@link TerminalRenderer#write(byte[], int, int, long)} for the two
     *     lines; empty when neither is known
     */
    record End(long startLine, Optional<Duration> duration) implements GroupEvent {
        public End {
            Objects.requireNonNull(duration);
        }
    }
}
