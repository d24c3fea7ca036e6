package dev.kiln.server.hooks;

/** What a webhook says happened, as far as Kiln acts on it. Every SHA in here is a hint, never built as such. */
public sealed interface HookEvent {
    /** A forge checking the hook works. */
    record Ping() implements HookEvent {}

    /** A push to {@code ref} (a full name), which the payload says now points to {@code sha} (may be null). */
    record Push(String ref, String sha) implements HookEvent {}

    /**
     * A pull request opened, updated or reopened: {@code number}, into {@code baseBranch}, from
     * {@code headBranch} of {@code headRepoUrl}, whose head the payload says is {@code headSha};
     * {@code collaborator}: its author may run builds without a comment.
     */
    record PullRequest(long number, String baseBranch, String headBranch, String headRepoUrl, String headSha,
                       String author, boolean collaborator) implements HookEvent {}

    /** A comment on pull request {@code number}; {@code collaborator}: its author may start builds. */
    record Comment(long number, String body, String author, boolean collaborator) implements HookEvent {}

    /** An event Kiln does not act on, and why (a closed pull request, an issue comment, a tag event...). */
    record Ignored(String why) implements HookEvent {}
}
