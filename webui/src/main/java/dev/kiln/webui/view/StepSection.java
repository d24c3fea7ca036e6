package dev.kiln.webui.view;

/**
 * One step on a build page.
 *
 * @param open whether its log starts unfolded (failed and running steps)
 * @param live the URL of its server-sent log feed
 * @param raw the raw log download, ANSI escapes and all
 */
public record StepSection(int index, String id, String status, String detail, Integer exitCode, String duration,
                          boolean open, long logBytes, String live, String raw) {
    public String kind() {
        return Statuses.kind(status);
    }

    /** The step's anchor, the prefix of its line permalinks ({@code s2-L57}). */
    public String anchor() {
        return "s" + index;
    }

    public String plain() {
        return live.substring(0, live.length() - "/live".length()) + "/plain";
    }
}
