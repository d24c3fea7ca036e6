package dev.kiln.spec.api;

/**
 * The body of {@code POST /api/repos}. No {@code url}: Kiln hosts the repo. With one: a mirror of
 * it, fetched every {@code pollInterval} (such as {@code 30s}; default 60s), with basic-auth
 * {@code username} and {@code password} for an http(s) remote (the password is kept in a file only
 * the server can read, never in the database, and never shown again). {@code webhookSecret}: the
 * secret webhooks to {@code /hooks/NAME} are signed with; kept like the password and never shown.
 * {@code forge} ({@code github}, {@code gitlab} or {@code gitea}) has each build's state posted to
 * the commit through the forge's API at {@code forgeUrl} (default: GitHub's and GitLab's public
 * ones), for the project {@code forgeProject} ({@code owner/repo}; default: the path of {@code url}),
 * with the token in {@code forgeTokenFile}: an absolute path on the server's machine, mode 600, read
 * at each post; the token is never stored nor shown.
 */
public record RepoRequest(String name, String url, String pollInterval, String username, String password,
                          String webhookSecret, String forge, String forgeUrl, String forgeProject,
                          String forgeTokenFile) {

    /** A repo without a webhook secret that tells no forge of its builds. */
    public RepoRequest(String name, String url, String pollInterval, String username, String password) {
        this(name, url, pollInterval, username, password, null, null, null, null, null);
    }
}
