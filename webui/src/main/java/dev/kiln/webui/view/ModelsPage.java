package dev.kiln.webui.view;

import java.util.List;

/** Each repo's model in production: its version, commit and since when. */
public record ModelsPage(List<Row> rows) {
    public record Row(String repo, String version, String shortCommit, String build, String prodBuild, Stamp entered) {}
}
