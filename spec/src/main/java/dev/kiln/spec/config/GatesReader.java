package dev.kiln.spec.config;

import dev.kiln.spec.promotion.Gate;
import java.util.ArrayList;
import java.util.List;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads Kiln's top-level {@code gates:}, promotion gates a repo adds to its server's policy
 * (written as {@code accuracy >= production - 0.01}, see {@link Gate}). Each is read where it is
 * written, so a gate that cannot be read is an error at its own line and column. Gates are taken as
 * written: a promotion is judged on them after the build, where no substitution has a value.
 */
final class GatesReader {
    /** More gates than any policy needs; a bound so that a hostile file cannot make one per line. */
    static final int MAX_GATES = 100;

    private final NodeReader read;

    GatesReader(NodeReader read) {
        this.read = read;
    }

    List<Gate> read(Node node) {
        if (node == null) {
            return List.of();
        }
        if (!(node instanceof SequenceNode seq)) {
            // One gate for a list (a warning) or a mapping (an error), as every other list is read.
            List<String> one = read.strings(node, "gates", "gates", ControlCharacters.NONE);
            Gate g = one.isEmpty() ? null : parsed(node, one.get(0));
            return g == null ? List.of() : List.of(g);
        }
        if (seq.getValue().size() > MAX_GATES) {
            read.error(seq, "gates: at most " + MAX_GATES + " gates, not " + seq.getValue().size());
            return List.of();
        }
        List<Gate> out = new ArrayList<>();
        for (int i = 0; i < seq.getValue().size(); i++) {
            Node item = seq.getValue().get(i);
            String text = read.scalar(item, "gates[" + i + "]", "gates", ControlCharacters.NONE);
            Gate g = text == null ? null : parsed(item, text);
            if (g != null) {
                out.add(g);
            }
        }
        return List.copyOf(out);
    }

    /** The gate {@code text} at {@code node}, or null with the error there. */
    private Gate parsed(Node node, String text) {
        if (text.contains("$")) {
            read.error(node, "gates: '" + ControlCharacters.shown(text) + "' holds '$'; substitutions are not expanded"
                    + " in gates (they are judged after the build): write the metric and the threshold as they are");
            return null;
        }
        try {
            return Gate.parse(text);
        } catch (IllegalArgumentException e) {
            read.error(node, "gates: " + e.getMessage());
            return null;
        }
    }
}
