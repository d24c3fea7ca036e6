package dev.kiln.webui.view;

import java.util.List;

/**
 * The admins' audit page: one page of entries, newest first. {@code action} is the filter shown in
 * its form; {@code olderHref} and {@code newestHref} page (empty: no such page).
 */
public record AuditPage(List<Entry> entries, String action, String olderHref, String newestHref) {
    /** One entry; every field is text as shown (empty for none). */
    public record Entry(long seq, Stamp time, String actor, String action, String target, String detail, String address) {}
}
