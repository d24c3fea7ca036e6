package dev.kiln.spec.config;

import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Finds the substitution names a text or a whole config refers to: {@code $NAME}, {@code ${NAME}}
 * and {@code ${NAME<operation>}}, never what {@code $$} escapes. Only finds; expanding is the
 * planner's job.
 */
public final class References {
    private References() {}

    /** Adds to {@code into} every name {@code text} refers to, also inside an operation's words. */
    public static void scan(String text, Set<String> into) {
        if (text == null) {
            return;
        }
        int i = text.indexOf('$');
        while (i >= 0 && i < text.length() - 1) {
            char next = text.charAt(i + 1);
            int start = i + 1;
            if (next == '$') {
                i = text.indexOf('$', i + 2);
                continue;
            }
            if (next == '{') {
                start = i + 2;
                if (start < text.length() && (text.charAt(start) == '#' || text.charAt(start) == '!')) {
                    start++;
                }
            }
            int end = nameEnd(text, start);
            if (end > start) {
                into.add(text.substring(start, end));
            }
            // Go on right after the name: a word inside ${_A:-$_B} refers to _B as well.
            i = text.indexOf('$', Math.max(end, i + 1));
        }
    }

    /** True when {@code text} refers to any substitution. */
    public static boolean any(String text) {
        Set<String> names = new HashSet<>();
        scan(text, names);
        return !names.isEmpty();
    }

    /** Where the name starting at {@code start} ends ({@code start} itself when there is none). */
    public static int nameEnd(String text, int start) {
        if (start >= text.length() || !(isUpper(text.charAt(start)) || text.charAt(start) == '_')) {
            return start;
        }
        int end = start + 1;
        while (end < text.length() && (isUpper(text.charAt(end)) || text.charAt(end) == '_'
                || (text.charAt(end) >= '0' && text.charAt(end) <= '9'))) {
            end++;
        }
        return end;
    }

    private static boolean isUpper(char c) {
        return c >= 'A' && c <= 'Z';
    }

    /**
     * Every name the values of a config refer to (keys are names, not references). A substitution
     * naming itself does not count as a use of it. Each node is read once, however many aliases
     * point at it.
     */
    static Set<String> in(Node root) {
        Set<String> names = new HashSet<>();
        Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        if (root instanceof MappingNode map) {
            for (NodeTuple t : map.getValue()) {
                if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals("substitutions")
                        && t.getValueNode() instanceof MappingNode subs) {
                    for (NodeTuple s : subs.getValue()) {
                        Set<String> own = new HashSet<>();
                        walk(s.getValueNode(), own, seen);
                        if (s.getKeyNode() instanceof ScalarNode key) {
                            own.remove(key.getValue());
                        }
                        names.addAll(own);
                    }
                } else {
                    walk(t.getValueNode(), names, seen);
                }
            }
        } else {
            walk(root, names, seen);
        }
        return names;
    }

    private static void walk(Node node, Set<String> names, Set<Node> seen) {
        if (node == null || !seen.add(node)) {
            return;
        }
        if (node instanceof ScalarNode s) {
            scan(s.getValue(), names);
        } else if (node instanceof SequenceNode seq) {
            for (Node n : seq.getValue()) {
                walk(n, names, seen);
            }
        } else if (node instanceof MappingNode map) {
            for (NodeTuple t : map.getValue()) {
                walk(t.getValueNode(), names, seen);
            }
        }
    }
}
