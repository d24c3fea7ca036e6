package dev.kiln.server.artifacts;

import dev.kiln.spec.protocol.ProductionListing;
import dev.kiln.spec.protocol.RefusedCallException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * The files of a repo's current production model, as the built-in step {@code kiln/production-artifacts}
 * fetches them into a candidate's workspace: the artifacts the production version's build kept. Which
 * version is in production is the {@link ProductionSource}'s answer, asked anew on every call, so a
 * promotion between the listing and a download is noticed rather than served as a mix of two versions.
 */
public final class ProductionArtifacts {
    private final BuildArtifacts artifacts;
    private volatile ProductionSource source = ProductionSource.NONE;

    public ProductionArtifacts(BuildArtifacts artifacts) {
        this.artifacts = artifacts;
    }

    /** Where production versions are read from from now on (the model registry, connected at start). */
    public void source(ProductionSource source) {
        this.source = source == null ? ProductionSource.NONE : source;
    }

    /** What {@code repo} (null: a build of no repo) has in production, with its build's files. */
    public ProductionListing listing(String repo) {
        Optional<ProductionSource.Production> p = current(repo);
        if (p.isEmpty()) {
            return ProductionListing.none(repo);
        }
        ProductionSource.Production v = p.get();
        return new ProductionListing(repo, v.version(), v.commitSha(), v.buildId(), artifacts.list(v.buildId()).stream()
                .map(a -> new ProductionListing.Artifact(a.path(), a.size(), a.sha256())).toList());
    }

    /**
     * The bytes of {@code path} of build {@code productionBuild}, which must still be {@code repo}'s
     * production: no other build's files are served through this door.
     */
    public InputStream open(String repo, String productionBuild, String path) throws IOException {
        Optional<ProductionSource.Production> p = current(repo);
        if (p.isEmpty() || !p.get().buildId().equals(productionBuild)) {
            throw new RefusedCallException("build " + productionBuild + " is not the production model of "
                    + (repo == null ? "this build (it is of no repo)" : "repo " + repo)
                    + (p.isEmpty() ? "" : " (that is v" + p.get().version() + ", build " + p.get().buildId()
                    + "; production may have moved since the listing: run the build again)"));
        }
        BuildArtifacts.Stored a = artifacts.find(productionBuild, path).orElseThrow(() -> new RefusedCallException(
                "the production build " + productionBuild + " has no artifact " + path));
        return artifacts.open(a);
    }

    private Optional<ProductionSource.Production> current(String repo) {
        return repo == null ? Optional.empty() : source.current(repo);
    }
}
