package dev.kiln.spec.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * YAML 1.1 merge keys ({@code <<: *defaults}), which configs in the wild use to share a step's
 * {@code env}. SnakeYAML expands them only when it constructs objects, and {@link SafeYaml} never
 * does, so they are expanded here, on the node tree: keys written in the mapping win over merged
 * ones, and of several merged mappings the first wins, as the spec says. Merged nodes keep their
 * own positions, so an error in them points at the anchor where they were written.
 */
final class MergeKeys {
    private final String file;
    private final Set<Node> done = Collections.newSetFromMap(new IdentityHashMap<>());

    private MergeKeys(String file) {
        this.file = file;
    }

    static void expand(String file, Node root) throws ConfigException {
        if (root != null) {
            new MergeKeys(file).visit(root);
        }
    }

    private void visit(Node node) throws ConfigException {
        if (!done.add(node)) {
            return;   // an alias of a node already expanded (and no endless walk through a recursive one)
        }
        if (node instanceof SequenceNode seq) {
            for (Node n : seq.getValue()) {
                visit(n);
            }
        } else if (node instanceof MappingNode map) {
            for (NodeTuple t : map.getValue()) {
                visit(t.getValueNode());
            }
            if (map.getValue().stream().anyMatch(MergeKeys::isMerge)) {
                map.setValue(merged(map));
            }
        }
    }

    private List<NodeTuple> merged(MappingNode map) throws ConfigException {
        Map<String, NodeTuple> own = new LinkedHashMap<>();
        for (NodeTuple t : map.getValue()) {
            if (!isMerge(t) && t.getKeyNode() instanceof ScalarNode k) {
                own.putIfAbsent(k.getValue(), t);
            }
        }
        List<NodeTuple> out = new ArrayList<>();
        Set<String> taken = new java.util.HashSet<>(own.keySet());
        for (NodeTuple t : map.getValue()) {
            if (!isMerge(t)) {
                out.add(t);
                continue;
            }
            for (MappingNode source : sources(t.getValueNode())) {
                for (NodeTuple m : source.getValue()) {
                    if (m.getKeyNode() instanceof ScalarNode k && taken.add(k.getValue())) {
                        out.add(m);
                    }
                }
            }
        }
        return out;
    }

    private List<MappingNode> sources(Node value) throws ConfigException {
        if (value instanceof MappingNode m) {
            return List.of(m);
        }
        if (value instanceof SequenceNode seq) {
            List<MappingNode> all = new ArrayList<>();
            for (Node n : seq.getValue()) {
                if (!(n instanceof MappingNode m)) {
                    throw refused(n);
                }
                all.add(m);
            }
            return all;
        }
        throw refused(value);
    }

    private ConfigException refused(Node n) {
        return new ConfigException(List.of(new ConfigProblem(SafeYaml.mark(file, n.getStartMark()),
                "a merge key '<<' takes a mapping or a list of mappings (e.g. <<: *defaults)")));
    }

    private static boolean isMerge(NodeTuple t) {
        return t.getKeyNode() instanceof ScalarNode k && Tag.MERGE.equals(k.getTag());
    }
}
