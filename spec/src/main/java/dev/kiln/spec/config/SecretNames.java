package dev.kiln.spec.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Cloud Build's {@code availableSecrets.secretManager[]} read as Kiln secrets: each
 * {@code versionName} ({@code projects/P/secrets/NAME/versions/V}, or a bare {@code NAME}) names
 * the Kiln secret {@code NAME}, offered to steps as the variable {@code env}. A step's
 * {@code secretEnv} must list variables declared there, each refused at its own position otherwise.
 * Types were checked already ({@link IgnoredFields#AVAILABLE_SECRETS}); values of a wrong type are skipped.
 */
public final class SecretNames {
    /** As Secret Manager's secret ids, which Kiln's secret names follow. */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,100}");
    private static final Pattern VERSION = Pattern.compile("projects/[^/]+/secrets/([^/]+)/versions/[^/]+");
    private static final Pattern ENV = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /**
     * The Kiln secret a {@code versionName} names ({@code projects/P/secrets/NAME/versions/V} or a
     * bare {@code NAME}), or null when it names none: for a name that a substitution gave.
     */
    public static String secretName(String versionName) {
        Matcher full = VERSION.matcher(versionName);
        String name = full.matches() ? full.group(1) : versionName;
        return NAME.matcher(name).matches() ? name : null;
    }

    private final NodeReader read;
    private final Problems problems;

    SecretNames(NodeReader read, Problems problems) {
        this.read = read;
        this.problems = problems;
    }

    /** Env name to secret name; reports each problem, and checks every step's {@code secretEnv} against it. */
    Map<String, String> read(Node available, Node legacy, List<Step> steps) {
        Map<String, String> out = new LinkedHashMap<>();
        Set<String> kms = new LinkedHashSet<>();
        if (available instanceof MappingNode m) {
            for (Node item : items(field(m, "secretManager", "secret_manager"))) {
                secretManager(item, out);
            }
            Node inline = field(m, "inline", "inline");
            if (inline != null) {
                read.warn(inline, "availableSecrets.inline (KMS ciphertexts) is not acted on by Kiln: its variables"
                        + " stay unset; keep the value as a Kiln secret (kiln secrets set) and name it in secretManager");
                for (Node item : items(inline)) {
                    if (item instanceof MappingNode i && field(i, "envMap", "env_map") instanceof MappingNode env) {
                        env.getValue().forEach(t -> kms.add(scalar(t.getKeyNode())));
                    }
                }
            }
        }
        for (Node item : items(legacy)) {
            Node env = item instanceof MappingNode i ? field(i, "secretEnv", "secret_env") : null;
            if (env instanceof MappingNode m) {
                m.getValue().forEach(t -> kms.add(scalar(t.getKeyNode())));
            } else if (env instanceof SequenceNode names) {
                // The wrong shape, named by the shape check: its names still say which variables it meant.
                for (Node n : names.getValue()) {
                    if (n instanceof MappingNode pair) {
                        pair.getValue().forEach(t -> kms.add(scalar(t.getKeyNode())));
                    } else {
                        kms.add(scalar(n));
                    }
                }
            }
        }
        Map<String, SourceMark> marks = read.marks();
        for (Step s : steps) {
            for (int j = 0; j < s.secretEnv().size(); j++) {
                String env = s.secretEnv().get(j);
                if (out.containsKey(env)) {
                    continue;
                }
                SourceMark at = marks.getOrDefault("steps[" + s.index() + "].secretEnv[" + j + "]", s.mark());
                String label = "step " + (s.id() != null ? "'" + s.id() + "'" : "#" + s.index());
                if (kms.contains(env)) {
                    problems.warn(at, label + ": secretEnv " + env + " comes from a KMS ciphertext Kiln does not"
                            + " decrypt: it will be unset");
                } else {
                    problems.error(at, label + ": secretEnv " + env + " is not declared in"
                            + " availableSecrets.secretManager[].env" + (out.isEmpty() ? " (the config declares none)"
                            : " (declared: " + String.join(", ", out.keySet()) + ")"));
                }
            }
        }
        return out;
    }

    private void secretManager(Node item, Map<String, String> out) {
        if (!(item instanceof MappingNode m) || m.getValue().stream().map(t -> scalar(t.getKeyNode()))
                .anyMatch(k -> !List.of("versionName", "version_name", "env").contains(k))) {
            return;   // the shape check has named what is wrong with it
        }
        long versionKeys = m.getValue().stream().map(t -> scalar(t.getKeyNode()))
                .filter(k -> k.equals("versionName") || k.equals("version_name")).count();
        Node versionNode = field(m, "versionName", "version_name");
        Node envNode = field(m, "env", "env");
        if (versionKeys > 1 || versionNode != null && !(versionNode instanceof ScalarNode)
                || envNode != null && !(envNode instanceof ScalarNode)) {
            return;   // both spellings, or a value of the wrong type: named already, and nothing more follows from it
        }
        String version = scalar(versionNode);
        String env = scalar(envNode);
        if (versionNode != null && version != null) {
            Matcher full = VERSION.matcher(version);
            String name = full.matches() ? full.group(1) : version;
            if (name.contains("$")) {
                version = name;   // a substitution ($_SECRET_NAME): the plan checks the name it becomes
            } else if (!NAME.matcher(name).matches()) {
                read.error(versionNode, "availableSecrets.secretManager: versionName '" + version + "' must be"
                        + " projects/PROJECT/secrets/NAME/versions/VERSION or a bare NAME, the name of a Kiln secret"
                        + " (letters, digits, '_' and '-')");
                version = null;
            } else {
                version = name;
            }
        } else if (versionNode == null) {
            read.error(item, "availableSecrets.secretManager: an entry needs versionName, naming a Kiln secret");
        }
        if (envNode == null) {
            read.error(item, "availableSecrets.secretManager: an entry needs env, the variable steps list in secretEnv");
        } else if (env != null && !ENV.matcher(env).matches()) {
            read.error(envNode, "availableSecrets.secretManager: env '" + env + "' is not a variable name");
            env = null;
        } else if (env != null && out.containsKey(env)) {
            read.error(envNode, "availableSecrets.secretManager: env " + env + " is declared twice");
            env = null;
        }
        if (version != null && env != null) {
            out.put(env, version);
        }
    }

    private static List<Node> items(Node node) {
        if (node instanceof SequenceNode seq) {
            return seq.getValue();
        }
        return node instanceof MappingNode ? List.of(node) : new ArrayList<>();
    }

    private static Node field(MappingNode m, String json, String proto) {
        for (NodeTuple t : m.getValue()) {
            String key = scalar(t.getKeyNode());
            if ((json.equals(key) || proto.equals(key)) && !NodeReader.isNull(t.getValueNode())) {
                return t.getValueNode();
            }
        }
        return null;
    }

    private static String scalar(Node node) {
        return node instanceof ScalarNode s ? s.getValue() : null;
    }
}
