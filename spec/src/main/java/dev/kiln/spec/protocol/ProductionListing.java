package dev.kiln.spec.protocol;

import java.util.List;

/**
 * What the built-in step {@code kiln/production-artifacts} is told about the current production
 * model of the build's repo: its version, the commit and build it came from, and the files that build
 * kept. {@code version} null: the repo has no production model yet, or the build is of no repo
 * ({@code repo} null, as for {@code kiln submit}); then there is nothing to fetch.
 */
public record ProductionListing(String repo, Integer version, String commit, String buildId, List<Artifact> artifacts) {

    /** One file of the production build: its path relative to the workspace, size and SHA-256 (hex). */
    public record Artifact(String path, long size, String sha256) {}

    public ProductionListing {
        artifacts = artifacts == null ? List.of() : List.copyOf(artifacts);
    }

    /** A repo (or a build of none, {@code repo} null) with no production model. */
    public static ProductionListing none(String repo) {
        return new ProductionListing(repo, null, null, null, List.of());
    }

    public boolean exists() {
        return version != null;
    }
}
