package dev.kiln.server.hooks;

import java.util.function.Function;

/**
 * The dialect a webhook speaks: which forge sent it (told by its event header), how it signs, and
 * how its events and pull request refs are named. Signatures: GitHub's
 * {@code X-Hub-Signature-256} (hex HMAC-SHA256 of the body, prefixed {@code sha256=}), GitLab's
 * {@code X-Gitlab-Token} (the secret itself), Gitea's and Forgejo's {@code X-Gitea-Signature} /
 * {@code X-Forgejo-Signature} (bare hex HMAC-SHA256), and Kiln's own generic {@code X-Kiln-Signature-256}
 * (as GitHub's). Gitea also sends GitHub's headers, so it is recognised first.
 */
public enum HookDialect {
    GITEA, GITLAB, GITHUB, GENERIC;

    /** The sender of a request whose headers {@code header} looks up (case-insensitively). */
    public static HookDialect of(Function<String, String> header) {
        if (header.apply("X-Gitea-Event") != null || header.apply("X-Forgejo-Event") != null) {
            return GITEA;
        }
        if (header.apply("X-Gitlab-Event") != null) {
            return GITLAB;
        }
        if (header.apply("X-GitHub-Event") != null) {
            return GITHUB;
        }
        return GENERIC;
    }

    /** The event's name as its header gives it; {@code push} for a generic body. */
    public String event(Function<String, String> header) {
        String e = switch (this) {
            case GITEA -> header.apply("X-Gitea-Event") != null ? header.apply("X-Gitea-Event") : header.apply("X-Forgejo-Event");
            case GITLAB -> header.apply("X-Gitlab-Event");
            case GITHUB -> header.apply("X-GitHub-Event");
            case GENERIC -> "push";
        };
        return e == null ? "" : e.strip();
    }

    /** Where this forge keeps a pull request's head in its repo. */
    public String pullRequestRef(long number) {
        return this == GITLAB ? "refs/merge-requests/" + number + "/head" : "refs/pull/" + number + "/head";
    }
}
