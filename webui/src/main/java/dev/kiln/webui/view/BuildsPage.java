package dev.kiln.webui.view;

import java.util.List;

/**
 * The builds list: one page of rows, the filters it was asked with, and the link to the next
 * (older) page, empty on the last.
 */
public record BuildsPage(List<BuildRow> rows, Filters filters, String olderHref, String newestHref, String liveHref) {

    /** The list's filters as given in the URL; empty strings for none. */
    public record Filters(String status, String repo, String branch, String trigger) {
        public boolean any() {
            return !(status.isEmpty() && repo.isEmpty() && branch.isEmpty() && trigger.isEmpty());
        }
    }

    public List<String> statuses() {
        return Statuses.ALL;
    }
}
