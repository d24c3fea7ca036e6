package dev.kiln.webui.view;

import java.util.List;

/**
 * A repo's model: every production version, newest first, and per metric a chart of its value
 * across the recent builds of the source branch {@code from} ({@code svg}: drawn by {@link MetricChart}, escaped there).
 */
public record ModelPage(String repo, String from, String to, List<Version> versions, List<Chart> charts, int builds) {

    /** A production version: {@code left} empty while it is production; {@code rollbackOf} empty unless a rollback. */
    public record Version(String version, boolean production, String commit, String shortCommit, String build,
                          String prodBuild, String promotion, Stamp entered, Stamp left, String approvers,
                          String rollbackOf) {}

    public record Chart(String metric, String svg) {}
}
