package dev.kiln.spec.config;

import dev.kiln.spec.promotion.Gate;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A build config as written ({@code build.yaml} / {@code cloudbuild.yaml}), after validation.
 * {@code marks} points every value path (e.g. {@code steps[2].args[0]}) at where it was written,
 * so that later checks such as substitutions can still name a line and column. {@code labels} are
 * what an agent must offer to take the build: {@code options.pool.name}'s last segment and
 * {@code options.agent.labels}, in that order, without repeats. {@code substitutionInfo} is what
 * the config says about substitutions besides their defaults. {@code secrets}: Cloud Build's
 * {@code availableSecrets.secretManager}, as the environment variable each Kiln secret is offered as
 * (env name to secret name); a step gets one only when its {@code secretEnv} lists it. {@code gates}: the
 * promotion gates the config's {@code gates:} adds to its repo's policy on the server (never instead of it).
 */
public record BuildSpec(
        String file,
        List<Step> steps,
        Duration timeout,
        Duration queueTtl,
        Map<String, String> substitutions,
        boolean allowLooseSubstitutions,
        List<String> env,
        List<String> images,
        List<String> tags,
        List<String> labels,
        List<ConfigProblem> warnings,
        Map<String, SourceMark> marks,
        SubstitutionInfo substitutionInfo,
        ArtifactObjects artifactObjects,
        Map<String, String> secrets,
        List<Gate> gates) {

    public BuildSpec {
        artifactObjects = artifactObjects == null ? ArtifactObjects.NONE : artifactObjects;
        secrets = secrets == null ? Map.of() : Map.copyOf(secrets);
        gates = gates == null ? List.of() : List.copyOf(gates);
    }

    /** A spec that adds no promotion gates. */
    public BuildSpec(String file, List<Step> steps, Duration timeout, Duration queueTtl, Map<String, String> substitutions,
                     boolean allowLooseSubstitutions, List<String> env, List<String> images, List<String> tags,
                     List<String> labels, List<ConfigProblem> warnings, Map<String, SourceMark> marks,
                     SubstitutionInfo substitutionInfo, ArtifactObjects artifactObjects, Map<String, String> secrets) {
        this(file, steps, timeout, queueTtl, substitutions, allowLooseSubstitutions, env, images, tags, labels, warnings,
                marks, substitutionInfo, artifactObjects, secrets, List.of());
    }

    /** A spec without {@code artifacts.objects} that names no secrets. */
    public BuildSpec(String file, List<Step> steps, Duration timeout, Duration queueTtl, Map<String, String> substitutions,
                     boolean allowLooseSubstitutions, List<String> env, List<String> images, List<String> tags,
                     List<String> labels, List<ConfigProblem> warnings, Map<String, SourceMark> marks,
                     SubstitutionInfo substitutionInfo) {
        this(file, steps, timeout, queueTtl, substitutions, allowLooseSubstitutions, env, images, tags, labels, warnings,
                marks, substitutionInfo, ArtifactObjects.NONE, Map.of());
    }

    /** A spec without dynamic substitutions, keys without a value, or references outside what is planned. */
    public BuildSpec(String file, List<Step> steps, Duration timeout, Duration queueTtl, Map<String, String> substitutions,
                     boolean allowLooseSubstitutions, List<String> env, List<String> images, List<String> tags,
                     List<String> labels, List<ConfigProblem> warnings, Map<String, SourceMark> marks) {
        this(file, steps, timeout, queueTtl, substitutions, allowLooseSubstitutions, env, images, tags, labels, warnings,
                marks, SubstitutionInfo.NONE);
    }

    public SourceMark markOf(String path) {
        SourceMark m = marks.get(path);
        return m != null ? m : new SourceMark(file, 1, 1);
    }
}
