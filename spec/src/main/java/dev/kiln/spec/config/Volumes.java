package dev.kiln.spec.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads Cloud Build's {@code volumes} (a step's, or {@code options.volumes} for every step in an
 * image), each {@code {name, path}} checked at its own line and column: a name Docker takes, an
 * absolute path that is neither the root nor the workspace, and no path twice in one step.
 */
final class Volumes {
    private static final String NAME = "[A-Za-z0-9][A-Za-z0-9_.-]{0,62}";

    private final NodeReader read;

    Volumes(NodeReader read) {
        this.read = read;
    }

    /** The volumes at {@code path} that passed every check; the others are reported. */
    List<Volume> read(Node node, String path) {
        if (node == null) {
            return List.of();
        }
        List<Node> items;
        if (node instanceof SequenceNode seq) {
            items = seq.getValue();
        } else if (node instanceof MappingNode) {
            read.warnListOfOne(node, read.shown(path));
            items = List.of(node);
        } else {
            read.error(node, read.shown(path) + " must be a list of {name, path}, not a value");
            return List.of();
        }
        List<Volume> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            Volume v = volume(items.get(i), path + "[" + i + "]");
            if (v == null) {
                continue;
            }
            if (out.stream().anyMatch(o -> o.path().equals(v.path()))) {
                read.error(items.get(i), read.shown(path + "[" + i + "]") + ": path '" + v.path()
                        + "' is mounted twice; give each volume a path of its own");
                continue;
            }
            out.add(v);
        }
        return List.copyOf(out);
    }

    private Volume volume(Node node, String path) {
        String shown = read.shown(path);
        Map<String, Node> f = read.fields(node, path + ".", shown, List.of("name", "path"), List.of());
        if (!(node instanceof MappingNode)) {
            return null;
        }
        String name = read.scalar(f.get("name"), path + ".name", shown + ".name", ControlCharacters.NONE);
        String at = read.scalar(f.get("path"), path + ".path", shown + ".path", ControlCharacters.NONE);
        if (!f.containsKey("name") || !f.containsKey("path")) {
            read.error(node, shown + ": a volume needs both 'name' and 'path'");
            return null;
        }
        if (name == null || at == null) {
            return null;   // refused for its type or characters, with its own message
        }
        boolean ok = true;
        if (!name.matches(NAME)) {
            read.error(f.get("name"), shown + ".name '" + ControlCharacters.shown(name)
                    + "' must start with a letter or digit and hold only letters, digits, '_', '.' and '-' (at most 63)");
            ok = false;
        }
        String problem = pathProblem(at);
        if (problem != null) {
            read.error(f.get("path"), shown + ".path " + problem);
            ok = false;
        }
        return ok ? new Volume(name, at) : null;
    }

    /** Why a container path cannot take a volume, or null. */
    static String pathProblem(String path) {
        String shown = "'" + ControlCharacters.shown(path) + "'";
        if (!path.startsWith("/")) {
            return "must be an absolute path in the container, not " + shown;
        }
        if (List.of(path.split("/")).contains("..") || path.contains(":") || path.contains(",")) {
            return shown + " must not hold '..', ':' or ','";
        }
        String p = path.replaceAll("/+$", "");
        if (p.isEmpty()) {
            return "must not be '/'";
        }
        if (p.equals(WorkspacePaths.ROOT) || p.startsWith(WorkspacePaths.ROOT + "/")) {
            return shown + " must not be in /workspace: the build's workspace is mounted there";
        }
        return null;
    }
}
