package dev.kiln.spec.plan;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.spec.json.Json;
import dev.kiln.spec.promotion.Gate;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The executor-neutral plan an agent receives for a whole build. Never the YAML: agents do not
 * parse configs. {@code version} lets an older agent refuse a plan it cannot run.
 * {@code artifacts}: globs (relative to the workspace) of {@code artifacts.objects.paths}, kept once the build passed.
 * {@code secrets}: the Kiln secret each environment variable a step's {@code secretEnv} may list stands for
 * (names only: plans are stored; values travel in the lease alone).
 * {@code gates}: the promotion gates the config's {@code gates:} adds, as written (each read by {@link Gate#parse});
 * kept in the plan because the plan is what the server stores of a build's config.
 */
public record BuildPlan(int version, String buildId, long timeoutMillis, List<StepPlan> steps, List<String> images,
                        List<String> artifacts, Map<String, String> secrets, List<String> gates) {
    public static final int VERSION = 1;

    public BuildPlan {
        // A plan stored by an earlier version has no artifacts, names no secrets and adds no gates.
        artifacts = artifacts == null ? List.of() : List.copyOf(artifacts);
        secrets = secrets == null ? Map.of() : Map.copyOf(secrets);
        gates = gates == null ? List.of() : List.copyOf(gates);
    }

    /** A plan that adds no promotion gates. */
    public BuildPlan(int version, String buildId, long timeoutMillis, List<StepPlan> steps, List<String> images,
                     List<String> artifacts, Map<String, String> secrets) {
        this(version, buildId, timeoutMillis, steps, images, artifacts, secrets, List.of());
    }

    /** A build that keeps no artifacts of its own (its steps may) and names no secrets. */
    public BuildPlan(int version, String buildId, long timeoutMillis, List<StepPlan> steps, List<String> images) {
        this(version, buildId, timeoutMillis, steps, images, List.of(), Map.of());
    }

    /**
     * The gates a build's own config added, read from its stored plan JSON: what the server adds to
     * the repo's policy when it judges that build. Empty for a build with no plan (refused before
     * planning) or none in its config.
     *
     * @throws IOException when {@code planJson} is not a plan, or holds a gate that cannot be read
     *                     (the parser refused those, so the plan was not made by Kiln)
     */
    public static List<Gate> gates(String planJson) throws IOException {
        if (planJson == null || planJson.isBlank()) {
            return List.of();
        }
        JsonNode texts = Json.MAPPER.readTree(planJson).path("gates");
        List<Gate> out = new ArrayList<>();
        for (JsonNode t : texts) {
            try {
                out.add(Gate.parse(t.asText()));
            } catch (IllegalArgumentException e) {
                throw new IOException("the stored plan holds a gate that cannot be read: " + e.getMessage(), e);
            }
        }
        return List.copyOf(out);
    }
}
