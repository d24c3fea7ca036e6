package dev.kiln.spec.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
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
 * Reads typed values out of YAML nodes, reports each wrong one at its line and column, and keeps
 * the index of where every value path (e.g. {@code steps[2].args[0]}) was written, for checks
 * made after reading. A value that cannot be used (wrong shape, or a control character where
 * {@link ControlCharacters} allows none) reads as absent, so one mistake is reported once.
 */
final class NodeReader {
    private static final int MAX_NODES = 100_000;

    private final String file;
    private final Problems problems;
    private final Map<String, SourceMark> marks = new HashMap<>();
    private final FieldNames names = new FieldNames();
    private int nodes;
    /** Characters in all values read; aliases may repeat one value many times, so this can exceed the file. */
    private long valueChars;
    private int refusals;

    NodeReader(String file, Problems problems) {
        this.file = file;
        this.problems = problems;
    }

    Map<String, SourceMark> marks() {
        return Map.copyOf(marks);
    }

    /** How many values were refused for their characters so far. */
    int refusals() {
        return refusals;
    }

    /**
     * Reads a mapping's fields, recording marks, refusing duplicates and unknown keys. A field may be
     * written in its JSON name ({@code waitFor}) or its proto name ({@code wait_for}), as Cloud Build
     * takes both; the map returned is keyed by the JSON name, and {@link #shown} gives it back as written.
     */
    Map<String, Node> fields(Node node, String prefix, String label, List<String> known, List<String> ignored) {
        Map<String, Node> out = new LinkedHashMap<>();
        if (!(node instanceof MappingNode map)) {
            error(node, label + " must be a mapping");
            return out;
        }
        count(node);
        List<String> all = new ArrayList<>(known);
        all.addAll(ignored);
        Map<String, String> spellings = FieldNames.spellings(all);
        Map<String, String> seen = new HashMap<>();
        for (NodeTuple t : map.getValue()) {
            String key = t.getKeyNode() instanceof ScalarNode k ? k.getValue() : null;
            if (key == null) {
                error(t.getKeyNode(), label + ": keys must be plain names");
                continue;
            }
            String field = spellings.getOrDefault(key, key);
            String before = seen.putIfAbsent(field, key);
            if (before != null) {
                error(t.getKeyNode(), label + (before.equals(key) ? ": duplicate key '" + key + "'"
                        : ": '" + before + "' and '" + key + "' are the same field; give it once"));
                continue;
            }
            names.wrote(prefix + field, key);
            marks.put(prefix + field, mark(t.getValueNode()));
            // 'key:' with no value (or null / ~) means the field is not set, as in Cloud Build's JSON.
            Node value = isNull(t.getValueNode()) ? null : t.getValueNode();
            if (known.contains(field)) {
                if (value != null) {
                    out.put(field, value);
                }
            } else if (ignored.contains(field)) {
                warn(t.getKeyNode(), label + ": '" + key + "' is read but not acted on by Kiln");
                if (value != null) {
                    out.put(field, value);
                }
            } else if (!problems.full()) {
                error(t.getKeyNode(), label + ": unknown field '" + key + "'"
                        + Suggestions.didYouMean(key, FieldNames.allSpellings(all)));
            }
        }
        return out;
    }

    /** {@code path} as the user spelt it ({@code steps[0].wait_for} for {@code steps[0].waitFor}). */
    String shown(String path) {
        return names.shown(path);
    }

    /** The field at {@code path} as the user spelt it ({@code wait_for} for {@code steps[0].waitFor}). */
    String name(String path) {
        return names.name(path);
    }

    /**
     * Reads one value at {@code path}; {@code where} names it in a message about its characters
     * (e.g. {@code step 'build': dir}), which never shows the value itself.
     */
    String scalar(Node node, String path, String where, ControlCharacters allowed) {
        if (node == null) {
            return null;
        }
        count(node);
        if (node instanceof ScalarNode s) {
            marks.put(path, mark(s));
            return checked(s, where, allowed);
        }
        error(node, shown(path) + " must be a single value, not a " + kind(node));
        return null;
    }

    List<String> strings(Node node, String path, String where, ControlCharacters allowed) {
        return items(node, path, where, allowed).stream().map(Item::value).toList();
    }

    List<String> envList(Node node, String path, String where) {
        List<String> env = new ArrayList<>();
        for (Item item : items(node, path, where, ControlCharacters.ENV_ENTRY)) {
            if (item.value().indexOf('=') <= 0) {
                problems.error(marks.get(item.path()), shown(path) + ": '" + item.value() + "' must have the form KEY=VALUE");
            }
            env.add(item.value());
        }
        return List.copyOf(env);
    }

    /**
     * Reads agent labels: single words an agent can offer with {@code --labels a,b}, so neither
     * blank nor holding a comma or white space. Each wrong one is reported at its own position.
     */
    List<String> labels(Node node, String path, String where) {
        List<String> out = new ArrayList<>();
        for (Item item : items(node, path, where, ControlCharacters.NONE)) {
            String problem = labelProblem(item.value());
            if (problem != null) {
                problems.error(marks.get(item.path()), where + ": " + problem);
            } else if (!out.contains(item.value())) {
                out.add(item.value());
            }
        }
        return List.copyOf(out);
    }

    /** Why {@code label} cannot be an agent label, or null when it can. */
    static String labelProblem(String label) {
        if (label.isBlank()) {
            return "a label must not be blank";
        }
        if (label.contains(",") || label.chars().anyMatch(Character::isWhitespace)) {
            return "label '" + label + "' must be one word without commas or spaces, as agents offer it";
        }
        return null;
    }

    /** One value of a list and the path it was read at: items left out must not shift the others' positions. */
    private record Item(String path, String value) {}

    private List<Item> items(Node node, String path, String where, ControlCharacters allowed) {
        if (node == null) {
            return List.of();
        }
        if (node instanceof ScalarNode s) {
            // Configs in the wild give one value for a list ('env: A=1'); Cloud Build reads it as a
            // list of one, and so does Kiln, as written: 'args: make test' is one argument.
            marks.put(path + "[0]", mark(s));
            String v = checked(s, where, allowed);
            if (v != null) {
                warnListOfOne(s, where);
            }
            return v == null ? List.of() : List.of(new Item(path + "[0]", v));
        }
        if (!(node instanceof SequenceNode seq)) {
            error(node, shown(path) + " must be a list of values, not a " + kind(node));
            return List.of();
        }
        count(node);
        List<Item> out = new ArrayList<>();
        for (int i = 0; i < seq.getValue().size(); i++) {
            String at = path + "[" + i + "]";
            String v = scalar(seq.getValue().get(i), at, where, allowed);
            if (v != null) {
                out.add(new Item(at, v));
            }
        }
        return out;
    }

    /** The value, or null when it holds a control character it may not (reported at the value). */
    private String checked(ScalarNode s, String where, ControlCharacters allowed) {
        spend(s);
        if (valueChars > SafeYaml.MAX_BYTES) {
            // Refused already for its size; scanning each alias of a long value again would cost
            // as much as the alias bomb itself.
            return s.getValue();
        }
        String problem = allowed.problem(s.getValue());
        if (problem == null) {
            return s.getValue();
        }
        refusals++;
        error(s, where + ": " + problem);
        return null;
    }

    /**
     * Reads {@code substitutions}: the default values, in order. A key written without a value
     * ({@code _TAG:}) has no default; it is added to {@code withoutDefault} instead.
     */
    Map<String, String> substitutions(Node node, List<String> withoutDefault) {
        Map<String, String> out = new LinkedHashMap<>();
        if (node == null) {
            return out;
        }
        if (!(node instanceof MappingNode map)) {
            error(node, "substitutions must be a mapping of _KEY: value");
            return out;
        }
        Set<String> seen = new HashSet<>();
        for (NodeTuple t : map.getValue()) {
            String key = t.getKeyNode() instanceof ScalarNode k ? k.getValue() : null;
            if (key == null || !seen.add(key)) {
                error(t.getKeyNode(), "substitutions: duplicate or invalid key");
                continue;
            }
            if (!key.matches("_[A-Z0-9_]+")) {
                error(t.getKeyNode(), "substitutions: key '" + key
                        + "' must start with '_' and use only A-Z, 0-9 and '_'");
                continue;
            }
            if (isNull(t.getValueNode())) {
                marks.put("substitutions." + key, mark(t.getKeyNode()));
                withoutDefault.add(key);
                continue;
            }
            // A substitution value may land in a script's environment or in args: TAB, LF and CR
            // are fine there; where it lands in a name or path the planner checks it again.
            String value = scalar(t.getValueNode(), "substitutions." + key, "substitutions." + key,
                    ControlCharacters.TABS_AND_LINE_BREAKS);
            // The key, not the value, is where an unused substitution is shown.
            marks.put("substitutions." + key, mark(t.getKeyNode()));
            if (value != null) {
                out.put(key, value);
            }
        }
        return out;
    }

    Duration duration(Node node, String label) {
        String text = scalar(node, label, label, ControlCharacters.NONE);
        if (text == null) {
            return null;
        }
        var d = Durations.parse(text);
        if (d.isEmpty()) {
            error(node, label + ": '" + text + "' is not a duration; write e.g. 600s, 1.5s or 10m");
            return null;
        }
        return d.get();
    }

    boolean bool(Node node, String label) {
        String text = scalar(node, label, label, ControlCharacters.NONE);
        if (text == null) {
            return false;
        }
        if (text.equals("true")) {
            return true;
        }
        if (!text.equals("false")) {
            error(node, label + " must be true or false, not '" + text + "'");
        }
        return false;
    }

    List<Integer> wholeNumbers(Node node, String path, String label) {
        List<Integer> out = new ArrayList<>();
        for (String text : strings(node, path, label, ControlCharacters.NONE)) {
            try {
                out.add(Integer.parseInt(text));
            } catch (NumberFormatException e) {
                error(node, label + " must be whole numbers, not '" + text + "'");
            }
        }
        return List.copyOf(out);
    }

    /** The warning for one value (or one mapping) given where a list is expected, showing the list form. */
    void warnListOfOne(Node node, String where) {
        String asList = node instanceof ScalarNode s ? "[" + quoted(s.getValue()) + "]"
                : "it as a list item ('- ' before its first field)";
        warn(node, where + ": one value where Cloud Build expects a list; read as a list of one, write " + asList);
    }

    /** A value as it would be written in a flow list, shortened: the warning shows the form, not the whole value. */
    private static String quoted(String value) {
        String v = value.length() <= 40 ? value : value.substring(0, 40) + "...";
        return "'" + ControlCharacters.shown(v).replace("'", "''") + "'";
    }

    void error(Node node, String message) {
        problems.error(mark(node), message);
    }

    void warn(Node node, String message) {
        problems.warn(mark(node), message);
    }

    SourceMark mark(Node node) {
        return SafeYaml.mark(file, node.getStartMark());
    }

    static boolean isNull(Node node) {
        return node instanceof ScalarNode s && Tag.NULL.equals(s.getTag());
    }

    /**
     * Counts the characters of every value read. Without aliases they add up to at most the file's
     * size; with aliases ({@code *name} repeating a long value) they can add up to far more, and
     * every consumer of the spec (planner, JSON for agents, the database) would pay for each copy.
     */
    private void spend(ScalarNode s) {
        long before = valueChars;
        valueChars += s.getValue().length();
        if (before <= SafeYaml.MAX_BYTES && valueChars > SafeYaml.MAX_BYTES) {
            error(s, "config values add up to more than " + SafeYaml.MAX_BYTES
                    + " characters; aliases (*name) repeat a value too often");
        }
    }

    private void count(Node node) {
        if (++nodes == MAX_NODES) {
            error(node, "config has more than " + MAX_NODES + " values");
        }
    }

    private static String kind(Node node) {
        return node instanceof MappingNode ? "mapping" : node instanceof SequenceNode ? "list" : "value";
    }
}
