package dev.kiln.spec.config;

import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Checks values against their {@link Shape}, reporting each one of the wrong type at its line and
 * column, in the user's spelling of its path. Used for the fields Kiln reads but does not act on,
 * whose values nothing else looks at.
 */
final class ShapeCheck {
    private final NodeReader read;

    ShapeCheck(NodeReader read) {
        this.read = read;
    }

    /** Checks the fields of {@code message} found in {@code fields} (as {@link NodeReader#fields} read them). */
    void fields(Map<String, Node> fields, Shape.Message message, String prefix) {
        message.fields().forEach((name, shape) -> {
            Node node = fields.get(name);
            if (node != null) {
                check(node, shape, prefix + name);
            }
        });
    }

    /** Checks {@code node}, written at value path {@code path}, against {@code shape}. */
    void check(Node node, Shape shape, String path) {
        if (node == null || shape instanceof Shape.Anything) {
            return;
        }
        if (shape instanceof Shape.Message m) {
            fields(read.fields(node, path + ".", read.shown(path), m.names(), List.of()), m, path + ".");
        } else if (shape instanceof Shape.ListOf l) {
            list(node, l.item(), path);
        } else if (shape instanceof Shape.MapOf m) {
            map(node, m.value(), path);
        } else {
            scalar(node, shape, path);
        }
    }

    private void list(Node node, Shape item, String path) {
        if (node instanceof SequenceNode seq) {
            for (int i = 0; i < seq.getValue().size(); i++) {
                check(seq.getValue().get(i), item, path + "[" + i + "]");
            }
        } else if (fits(node, item)) {
            read.warnListOfOne(node, read.shown(path));
            check(node, item, path + "[0]");
        } else {
            read.error(node, read.shown(path) + " must be a list, not a " + kind(node));
        }
    }

    private void map(Node node, Shape value, String path) {
        if (!(node instanceof MappingNode map)) {
            read.error(node, read.shown(path) + " must be a mapping of names to values, not a " + kind(node));
            return;
        }
        for (NodeTuple t : map.getValue()) {
            if (t.getKeyNode() instanceof ScalarNode k) {
                check(t.getValueNode(), value, path + "." + k.getValue());
            } else {
                read.error(t.getKeyNode(), read.shown(path) + ": keys must be plain names");
            }
        }
    }

    private void scalar(Node node, Shape shape, String path) {
        String shown = read.shown(path);
        String v = read.scalar(node, path, shown, ControlCharacters.TABS_AND_LINE_BREAKS);
        if (v == null) {
            return;
        }
        String problem = null;
        if (shape instanceof Shape.Flag && !v.equals("true") && !v.equals("false")) {
            problem = "must be true or false, not '" + v + "'";
        } else if (shape instanceof Shape.Whole && !v.matches("-?[0-9]{1,18}")) {
            problem = "must be a whole number, not '" + v + "'";
        } else if (shape instanceof Shape.WorkspacePath && WorkspacePaths.relative(v) == null) {
            problem = WorkspacePaths.problem(v);
        } else if (shape instanceof Shape.Choice c && !c.values().contains(v)) {
            problem = "must be one of " + String.join(", ", c.values()) + "; not '" + v + "'"
                    + Suggestions.didYouMean(v, c.values());
        }
        if (problem != null) {
            read.error(node, shown + " " + ControlCharacters.shown(problem));
        }
    }

    /** True when {@code node} is of the kind {@code shape} takes: a value, a mapping or a list. */
    private static boolean fits(Node node, Shape shape) {
        if (shape instanceof Shape.Anything) {
            return true;
        }
        if (shape instanceof Shape.Message || shape instanceof Shape.MapOf) {
            return node instanceof MappingNode;
        }
        if (shape instanceof Shape.ListOf) {
            return node instanceof SequenceNode;
        }
        return node instanceof ScalarNode;
    }

    private static String kind(Node node) {
        return node instanceof MappingNode ? "mapping" : node instanceof SequenceNode ? "list" : "value";
    }
}
