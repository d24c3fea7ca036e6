package dev.kiln.server.triggers;

/**
 * A pull request as a webhook told of it: {@code number} of {@code repo}, whose head the forge
 * keeps at {@code headRef} ({@code refs/pull/7/head}), into {@code baseBranch} from
 * {@code headBranch} of {@code headRepoUrl}; {@code claimedSha}: the head the payload named (a
 * hint, may be null); {@code collaborator}: whether its author may run builds without a comment.
 */
public record PullRequest(String repo, long number, String headRef, String baseBranch, String headBranch,
                          String headRepoUrl, String author, boolean collaborator, String claimedSha) {}
