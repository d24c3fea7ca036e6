package dev.kiln.spec.config;

import java.util.ArrayList;
import java.util.List;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads what a build leaves behind besides its log: Kiln's step fields {@code metrics: FILE} and
 * {@code artifacts: [GLOB...]} (extensions of Cloud Build's format, which has neither on a step),
 * and Cloud Build's top-level {@code artifacts.objects}. Every path must stay in the workspace.
 */
final class StepOutputs {
    private final NodeReader read;

    StepOutputs(NodeReader read) {
        this.read = read;
    }

    /** A step's {@code metrics}: a JSON file the step writes, relative to its {@code dir}; null when not given. */
    String metrics(Node node, String path, String label) {
        String file = read.scalar(node, path, label + ": metrics", ControlCharacters.NONE);
        if (file == null) {
            return null;
        }
        if (file.isBlank() || WorkspacePaths.relative(file) == null || file.endsWith("/")) {
            read.error(node, label + ": metrics must name a file inside the workspace (e.g. metrics.json), not '"
                    + ControlCharacters.shown(file) + "'");
            return null;
        }
        return file;
    }

    /** A step's {@code artifacts}: globs relative to its {@code dir}. */
    List<String> artifacts(Node node, String path, String label) {
        return globs(node, path, label + ": artifacts");
    }

    /** Cloud Build's {@code artifacts.objects}; its shape was checked with the other artifact fields. */
    ArtifactObjects objects(Node artifacts) {
        if (!(artifacts instanceof MappingNode map)) {
            return ArtifactObjects.NONE;
        }
        Node objects = null;
        for (NodeTuple t : map.getValue()) {
            String key = key(t);
            if ("objects".equals(key)) {
                objects = t.getValueNode();
            } else if (key != null) {
                read.warn(t.getKeyNode(), "artifacts." + key + " is read but not acted on by Kiln;"
                        + " artifacts.objects and a step's artifacts are stored");
            }
        }
        if (!(objects instanceof MappingNode o)) {
            return ArtifactObjects.NONE;
        }
        String location = null;
        List<String> paths = List.of();
        for (NodeTuple t : o.getValue()) {
            String key = key(t);
            if ("location".equals(key) && t.getValueNode() instanceof ScalarNode s) {
                location = s.getValue();
            } else if ("paths".equals(key)) {
                paths = checkedPaths(t.getValueNode());
            }
        }
        return new ArtifactObjects(location, paths);
    }

    /** The paths the shape check let by (it reported the others, and a single value, already). */
    private static List<String> checkedPaths(Node node) {
        List<Node> items = node instanceof SequenceNode seq ? seq.getValue() : List.of(node);
        List<String> out = new ArrayList<>();
        for (Node n : items) {
            if (n instanceof ScalarNode s && !NodeReader.isNull(s) && !s.getValue().isBlank()
                    && WorkspacePaths.relative(s.getValue()) != null && ControlCharacters.NONE.problem(s.getValue()) == null
                    && !out.contains(s.getValue())) {
                out.add(s.getValue());
            }
        }
        return List.copyOf(out);
    }

    private List<String> globs(Node node, String path, String where) {
        if (node == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        List<String> values = read.strings(node, path, where, ControlCharacters.NONE);
        List<Node> items = node instanceof SequenceNode seq ? seq.getValue() : List.of(node);
        for (int i = 0; i < values.size(); i++) {
            String glob = values.get(i);
            Node at = i < items.size() ? items.get(i) : node;
            if (glob.isBlank() || WorkspacePaths.relative(glob) == null) {
                read.error(at, where + ": '" + ControlCharacters.shown(glob)
                        + "' must be a relative path or glob inside the workspace");
            } else if (!out.contains(glob)) {
                out.add(glob);
            }
        }
        return List.copyOf(out);
    }

    private static String key(NodeTuple t) {
        return t.getKeyNode() instanceof ScalarNode k ? k.getValue() : null;
    }
}
