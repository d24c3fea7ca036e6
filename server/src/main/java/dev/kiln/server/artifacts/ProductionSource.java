package dev.kiln.server.artifacts;

import java.util.Optional;

/**
 * Where the server learns which version of a repo's model is in production: the model registry, once
 * promotions exist. {@code buildId} is the build whose artifacts are that version's files.
 */
@FunctionalInterface
public interface ProductionSource {
    /** None yet: no repo has a production model. */
    ProductionSource NONE = repo -> Optional.empty();

    Optional<Production> current(String repo);

    /** One production version of a repo's model. */
    record Production(int version, String commitSha, String buildId) {}
}
