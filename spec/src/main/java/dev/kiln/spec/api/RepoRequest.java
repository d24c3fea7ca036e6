package dev.kiln.spec.api;

/**
 * The body of {@code POST /api/repos}. No {@code url}: Kiln hosts the repo. With one: a mirror of
 * it, fetched every {@code pollInterval} (such as {@code 30s}; default 60s), with basic-auth
 * {@code username} and {@code password} for an http(s) remote (the password is kept in a file only
 * the server can read, never in the database, and never shown again).
 */
public record RepoRequest(String name, String url, String pollInterval, String username, String password) {}
