package dev.kiln.spec.config;

import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Kiln's built-in steps that the agent runs itself, with neither a container nor a process of the
 * build's: {@code name: kiln/production-artifacts} fetches the artifacts of the repo's current
 * production model into {@code dir} (default {@value #PRODUCTION_DIR}), so that an evaluation step
 * can score the candidate and the production model on the same data in one build.
 */
public final class NativeSteps {
    public static final String PRODUCTION_ARTIFACTS = "kiln/production-artifacts";
    /** Where {@link #PRODUCTION_ARTIFACTS} puts the files when its step gives no {@code dir}. */
    public static final String PRODUCTION_DIR = "production";
    /** What such a step may say besides its {@code name}: when it runs, where the files go, and how it may fail. */
    static final List<String> FIELDS = List.of("name", "id", "waitFor", "dir", "timeout", "allowFailure", "agent");

    private NativeSteps() {}

    /** Whether the step named {@code name} (its image, as written) is one the agent runs itself. */
    public static boolean is(String name) {
        return PRODUCTION_ARTIFACTS.equals(name);
    }

    /** Refuses, at each, the fields {@code f} of a native step gives that it does not take. */
    static void check(NodeReader read, Map<String, Node> f, String label, String name) {
        for (Map.Entry<String, Node> e : f.entrySet()) {
            if (!FIELDS.contains(e.getKey())) {
                read.error(e.getValue(), label + ": '" + e.getKey() + "' is not taken by the built-in step " + name
                        + ", which the agent runs itself; it takes only " + String.join(", ", FIELDS.subList(1, FIELDS.size())));
            }
        }
    }

    /** Refuses a {@code dir} that is the workspace itself: the fetched files get a directory of their own. */
    static void checkDir(NodeReader read, Node node, String label, String relative) {
        if (node != null && relative != null && (relative.equals(".") || relative.isBlank())) {
            read.error(node, label + ": dir must name a directory inside the workspace for the production model's"
                    + " files (default '" + PRODUCTION_DIR + "'), not the workspace itself");
        }
    }
}
