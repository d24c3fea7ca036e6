package dev.kiln.spec.api;

/**
 * The body of {@code POST /api/repos}. No {@code url}: Kiln hosts the repo. With one: a mirror of
 * it, fetched every {@code pollInterval} (such as {@code 30s}; default 60s), with basic-auth
 * {@code username} and {@code password} for an http(s) remote (the password is kept in a file only
 * the server can read, never in the database, and never shown again). {@code webhookSecret}: the
 * secret webhooks to {@code /hooks/NAME} are signed with; kept like the password and never shown.
 */
public record RepoRequest(String name, String url, String pollInterval, String username, String password,
                          String webhookSecret) {

    /** A repo without a webhook secret. */
    public RepoRequest(String name, String url, String pollInterval, String username, String password) {
        this(name, url, pollInterval, username, password, null);
    }
}
