package dev.kiln.webui.view;

/** A branch or tag of a repo and the commit it points to. {@code name} is without {@code refs/heads/} or {@code refs/tags/}. */
public record RepoHead(String name, boolean tag, String sha) {
    public String kind() {
        return tag ? "tag" : "branch";
    }

    public String shortSha() {
        return sha.substring(0, Math.min(7, sha.length()));
    }
}
