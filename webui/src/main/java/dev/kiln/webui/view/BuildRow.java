package dev.kiln.webui.view;

/**
 * One build as a row of the builds list and the head of its page: text ready to show.
 *
 * @param ref the branch or tag name, empty for a plain submit
 * @param started ISO-8601 instant (for a {@code <time>}), empty when not started
 * @param startedText the same, short, for people
 * @param live whether the build may still change (its row follows the live feed)
 */
public record BuildRow(String id, String status, String repo, String ref, String shortSha, String message, String cause,
                       String trigger, String started, String startedText, String duration, boolean live) {

    /** CSS class for the status: one of a few kinds, so the stylesheet needs no entry per status. */
    public String kind() {
        return Statuses.kind(status);
    }

    public String href() {
        return "/builds/" + id;
    }
}
