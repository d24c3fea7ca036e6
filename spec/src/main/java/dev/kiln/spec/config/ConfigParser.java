package dev.kiln.spec.config;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Turns the text of a {@code build.yaml} / {@code cloudbuild.yaml} (YAML or JSON) into a
 * {@link BuildSpec}, or a {@link ConfigException} listing every problem with file, line and column.
 * Safe against hostile input: size, alias, nesting and node-count limits; no object construction.
 */
public final class ConfigParser {
    /** Config files looked for, in order, when none is named. */
    public static final List<String> DEFAULT_FILES = List.of("build.yaml", "cloudbuild.yaml", "buildspec.yaml",
            "build.json", "cloudbuild.json");
    /** Larger configs are refused before YAML sees them. */
    public static final int MAX_BYTES = 1 << 20;
    private static final int MAX_NODES = 100_000;
    private static final int MAX_STEPS = 1_000;
    /** After this many errors the rest are counted, not listed: a hostile file must not flood memory. */
    static final int MAX_PROBLEMS = 100;
    /** Longest message kept; user text in messages (ids, keys) may be arbitrarily long. */
    static final int MAX_MESSAGE = 500;
    /** Longest word for which a did-you-mean is worked out. */
    private static final int MAX_SUGGEST_LENGTH = 64;

    static final List<String> TOP_FIELDS = List.of("steps", "timeout", "queueTtl", "substitutions",
            "options", "images", "artifacts", "tags");
    /** Cloud Build fields Kiln reads but does not act on: a warning, never an error. */
    static final List<String> TOP_IGNORED = List.of("availableSecrets", "secrets", "logsBucket",
            "serviceAccount", "serviceAccountEmail", "logging", "pool", "projectId", "name",
            "gates", "source", "dependencies", "gitConfig", "defaultLogsBucketBehavior");
    static final List<String> STEP_FIELDS = List.of("name", "args", "entrypoint", "script", "env", "dir",
            "id", "waitFor", "timeout", "allowFailure", "allowExitCodes", "secretEnv");
    static final List<String> STEP_IGNORED = List.of("volumes", "automapSubstitutions",
            "metrics", "artifacts", "cache", "agent");
    static final List<String> OPTION_FIELDS = List.of("env", "substitutionOption");
    static final List<String> OPTION_IGNORED = List.of("machineType", "logging", "pool", "diskSizeGb",
            "logStreamingOption", "requestedVerifyOption", "sourceProvenanceHash", "dynamicSubstitutions",
            "automapSubstitutions", "defaultLogsBucketBehavior", "workerPool", "volumes", "secretEnv",
            "pubsubTopic", "agent", "retries");

    private final String file;
    private final List<ConfigProblem> errors = new ArrayList<>();
    private final List<ConfigProblem> warnings = new ArrayList<>();
    private final Map<String, SourceMark> marks = new HashMap<>();
    private int nodes;
    /** Characters in all values read; aliases may repeat one value many times, so this can exceed the file. */
    private long valueChars;
    private int droppedErrors;

    private ConfigParser(String file) {
        this.file = file;
    }

    /** Parses and validates; {@code file} is the name used in messages (e.g. {@code build.yaml}). */
    public static BuildSpec parse(String file, byte[] content) throws ConfigException {
        return new ConfigParser(file).run(content);
    }

    /** The problem of a config over {@link #MAX_BYTES}, for callers that know its size without reading it all. */
    public static ConfigProblem tooLarge(String file, long size) {
        return new ConfigProblem(new SourceMark(file, 1, 1), "config is " + size + " bytes; the limit is " + MAX_BYTES + " bytes");
    }

    public static BuildSpec parse(String file, String content) throws ConfigException {
        return parse(file, content.getBytes(StandardCharsets.UTF_8));
    }

    private BuildSpec run(byte[] content) throws ConfigException {
        if (content.length > MAX_BYTES) {
            throw new ConfigException(List.of(tooLarge(file, content.length)));
        }
        String text = new String(content, StandardCharsets.UTF_8);
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1); // a byte-order mark is no part of the config
        }
        if (file.endsWith(".json") || text.stripLeading().startsWith("{")) {
            text = untabJson(text);
        }
        Node root;
        try {
            root = yaml().compose(new java.io.StringReader(text));
        } catch (MarkedYAMLException e) {
            Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String what = e.getProblem() != null ? e.getProblem() : e.getMessage();
            if (e.getContext() != null && e.getContextMark() != null && e.getProblemMark() != null
                    && e.getContextMark().getLine() != e.getProblemMark().getLine()) {
                // e.g. an unclosed '[': the problem shows at the end, the cause where it opened.
                what += " (" + e.getContext() + " that starts at " + mark(e.getContextMark()) + ")";
            }
            throw new ConfigException(List.of(new ConfigProblem(mark(m), "invalid YAML: " + what)));
        } catch (YAMLException e) {
            throw new ConfigException(List.of(new ConfigProblem(at(1, 1), "invalid YAML: " + e.getMessage())));
        }
        if (root == null) {
            throw new ConfigException(List.of(new ConfigProblem(at(1, 1), "config is empty; it needs 'steps'")));
        }
        BuildSpec spec = build(root);
        if (!errors.isEmpty()) {
            errors.sort(Comparator.comparingInt((ConfigProblem p) -> p.mark().line())
                    .thenComparingInt(p -> p.mark().column()));
            if (droppedErrors > 0) {
                errors.add(new ConfigProblem(at(1, 1), "... and " + droppedErrors + " more problems not listed"));
            }
            throw new ConfigException(errors);
        }
        return spec;
    }

    private static Yaml yaml() {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(20);
        options.setAllowRecursiveKeys(false);
        options.setNestingDepthLimit(40);
        options.setCodePointLimit(MAX_BYTES);
        return new Yaml(new SafeConstructor(options), new org.yaml.snakeyaml.representer.Representer(
                new org.yaml.snakeyaml.DumperOptions()), new org.yaml.snakeyaml.DumperOptions(), options);
    }

    /**
     * YAML forbids tabs as indentation, JSON allows them: turn tabs outside strings into spaces.
     * Also turns JSON's {@code \/} escape, unknown to YAML, into a plain {@code /}.
     */
    private static String untabJson(String text) {
        StringBuilder out = new StringBuilder(text.length());
        boolean inString = false;
        boolean escaped = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (inString) {
                if (escaped) {
                    escaped = false;
                    if (c == '/') {
                        // JSON allows \/ for '/', YAML does not know it: drop the backslash.
                        out.setLength(out.length() - 1);
                    }
                } else if (c == '\\') {
                    escaped = true;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '\t') {
                c = ' ';
            }
            out.append(c);
        }
        return out.toString();
    }

    private BuildSpec build(Node root) {
        Map<String, Node> top = fields(root, "", "config", TOP_FIELDS, TOP_IGNORED);
        List<Step> steps = new ArrayList<>();
        Node stepsNode = top.get("steps");
        if (stepsNode == null) {
            if (root instanceof MappingNode) {
                error(root, "config has no 'steps'");
            }
        } else if (stepsNode instanceof SequenceNode seq) {
            if (seq.getValue().isEmpty()) {
                error(seq, "'steps' is empty; a build needs at least one step");
            }
            if (seq.getValue().size() > MAX_STEPS) {
                error(seq, "a build may have at most " + MAX_STEPS + " steps");
            } else {
                for (int i = 0; i < seq.getValue().size(); i++) {
                    Step s = step(seq.getValue().get(i), i);
                    if (s != null) {
                        steps.add(s);
                    }
                }
            }
        } else {
            error(stepsNode, "'steps' must be a list of steps");
        }
        Duration timeout = duration(top.get("timeout"), "timeout");
        Duration queueTtl = duration(top.get("queueTtl"), "queueTtl");
        Map<String, String> subs = substitutions(top.get("substitutions"));
        List<String> env = List.of();
        boolean loose = false;
        Node options = top.get("options");
        if (options != null) {
            Map<String, Node> o = fields(options, "options.", "options", OPTION_FIELDS, OPTION_IGNORED);
            env = envList(o.get("env"), "options.env");
            Node opt = o.get("substitutionOption");
            String value = scalar(opt, "options.substitutionOption");
            if (value != null) {
                if (value.equals("ALLOW_LOOSE")) {
                    loose = true;
                } else if (!value.equals("MUST_MATCH")) {
                    error(opt, "options.substitutionOption must be MUST_MATCH or ALLOW_LOOSE, not '" + value + "'");
                }
            }
        }
        List<String> images = strings(top.get("images"), "images");
        List<String> tags = strings(top.get("tags"), "tags");
        if (top.containsKey("artifacts")) {
            warn(top.get("artifacts"), "'artifacts' is read but not acted on yet");
        }
        if (!images.isEmpty()) {
            warn(top.get("images"), "'images' are not pushed yet by this Kiln version");
        }
        checkGraph(steps);
        return new BuildSpec(file, List.copyOf(steps), timeout, queueTtl, subs, loose, env, images, tags,
                List.copyOf(warnings), Map.copyOf(marks));
    }

    private Step step(Node node, int index) {
        String path = "steps[" + index + "]";
        String label = "step #" + index;
        if (!(node instanceof MappingNode map)) {
            error(node, label + " must be a mapping with 'args' or 'script'");
            return null;
        }
        // Name the step by its id in every message about it, also those found before the id is read.
        for (NodeTuple t : map.getValue()) {
            if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals("id")
                    && t.getValueNode() instanceof ScalarNode v && !isNull(v)) {
                label = stepLabel(v.getValue());
                break;
            }
        }
        Map<String, Node> f = fields(node, path + ".", label, STEP_FIELDS, STEP_IGNORED);
        String id = scalar(f.get("id"), path + ".id");
        if (id != null) {
            label = stepLabel(id);
            if (id.isBlank() || id.equals("-")) {
                error(f.get("id"), label + ": id must not be blank or '-'");
            }
        }
        String name = scalar(f.get("name"), path + ".name");
        String entrypoint = scalar(f.get("entrypoint"), path + ".entrypoint");
        List<String> args = strings(f.get("args"), path + ".args");
        String script = scalar(f.get("script"), path + ".script");
        if (script != null && !args.isEmpty()) {
            error(f.get("script"), label + ": 'script' and 'args' cannot both be set");
        }
        if (script != null && entrypoint != null) {
            error(f.get("script"), label + ": 'script' and 'entrypoint' cannot both be set");
        }
        boolean local = name == null || name.equals("local");
        // Args given but all refused (e.g. [[x]]) already have their own error: do not pile on.
        boolean argsGiven = !args.isEmpty() || (f.get("args") instanceof SequenceNode a && !a.getValue().isEmpty());
        if (local && script == null && !argsGiven && entrypoint == null) {
            error(node, label + ": nothing to run; give 'args' or 'script'");
        }
        if (!local) {
            warn(f.get("name"), label + ": runs in image '" + name
                    + "', which needs a docker executor; this Kiln version runs process steps only");
        }
        List<String> env = envList(f.get("env"), path + ".env");
        String dir = scalar(f.get("dir"), path + ".dir");
        if (dir != null && (dir.startsWith("/") || List.of(dir.split("[/\\\\]")).contains(".."))) {
            error(f.get("dir"), label + ": dir must be a relative path inside the workspace, not '" + dir + "'");
        }
        List<String> waitFor = f.containsKey("waitFor") ? strings(f.get("waitFor"), path + ".waitFor") : null;
        if (waitFor != null && waitFor.isEmpty()) {
            waitFor = null; // as in Cloud Build: an empty waitFor means "all previous steps"
        }
        if (waitFor != null && waitFor.contains("-") && waitFor.size() > 1) {
            error(f.get("waitFor"), label + ": waitFor '-' means 'start at once' and cannot be combined with step ids");
        }
        Duration timeout = duration(f.get("timeout"), label + ": timeout");
        boolean allowFailure = bool(f.get("allowFailure"), label + ": allowFailure");
        List<Integer> exitCodes = new ArrayList<>();
        for (String code : strings(f.get("allowExitCodes"), path + ".allowExitCodes")) {
            try {
                exitCodes.add(Integer.parseInt(code));
            } catch (NumberFormatException e) {
                error(f.get("allowExitCodes"), label + ": allowExitCodes must be whole numbers, not '" + code + "'");
            }
        }
        List<String> secretEnv = strings(f.get("secretEnv"), path + ".secretEnv");
        if (!secretEnv.isEmpty()) {
            warn(f.get("secretEnv"), label + ": secretEnv " + secretEnv
                    + " will be unset: this Kiln version has no secrets yet");
        }
        return new Step(index, id, name, entrypoint, args, script, env, dir, waitFor, timeout, allowFailure,
                List.copyOf(exitCodes), secretEnv, mark(node.getStartMark()));
    }

    private static String stepLabel(String id) {
        return "step '" + (id.length() <= 80 ? id : id.substring(0, 80) + "...") + "'";
    }

    private void checkGraph(List<Step> steps) {
        Map<String, Integer> ids = new HashMap<>();
        for (Step s : steps) {
            if (s.id() != null) {
                Integer before = ids.putIfAbsent(s.id(), s.index());
                if (before != null) {
                    error(marks.get("steps[" + s.index() + "].id"), "step '" + s.id()
                            + "': duplicate id; step #" + before + " has it already");
                }
            }
        }
        Map<Integer, List<Integer>> deps = new HashMap<>();
        for (Step s : steps) {
            List<Integer> d = new ArrayList<>();
            if (s.waitFor() == null || s.waitFor().isEmpty()) {
                for (int i = 0; i < s.index(); i++) {
                    d.add(i);
                }
            } else {
                for (int j = 0; j < s.waitFor().size(); j++) {
                    String w = s.waitFor().get(j);
                    if (w.equals("-")) {
                        continue;
                    }
                    Integer target = ids.get(w);
                    if (target == null) {
                        if (full()) {
                            continue; // do not work out suggestions for problems no one will see
                        }
                        error(marks.get("steps[" + s.index() + "].waitFor[" + j + "]"), "step '" + s.displayId()
                                + "': waitFor names unknown step '" + w + "'" + didYouMean(w, ids.keySet()));
                    } else if (target == s.index()) {
                        error(marks.get("steps[" + s.index() + "].waitFor[" + j + "]"),
                                "step '" + s.displayId() + "': waits for itself");
                    } else {
                        d.add(target);
                    }
                }
            }
            deps.put(s.index(), d);
        }
        // Depth-first search for a cycle; report it once, naming the steps on it. A step that could
        // not be read is missing from the list, so indexes and places in the list may differ.
        Map<Integer, Step> byIndex = new HashMap<>();
        steps.forEach(s -> byIndex.put(s.index(), s));
        int[] state = new int[steps.isEmpty() ? 0 : steps.get(steps.size() - 1).index() + 1];
        for (Step s : steps) {
            List<Integer> cycle = findCycle(s.index(), deps, state, new ArrayList<>());
            if (cycle != null) {
                List<String> names = cycle.stream().map(i -> "'" + byIndex.get(i).displayId() + "'").toList();
                error(byIndex.get(cycle.get(0)).mark(), "waitFor forms a cycle: " + String.join(" -> ", names));
                return;
            }
        }
    }

    private static List<Integer> findCycle(int node, Map<Integer, List<Integer>> deps, int[] state, List<Integer> stack) {
        if (state[node] == 2) {
            return null;
        }
        if (state[node] == 1) {
            List<Integer> cycle = new ArrayList<>(stack.subList(stack.indexOf(node), stack.size()));
            cycle.add(node);
            return cycle;
        }
        state[node] = 1;
        stack.add(node);
        for (int d : deps.getOrDefault(node, List.of())) {
            List<Integer> c = findCycle(d, deps, state, stack);
            if (c != null) {
                return c;
            }
        }
        stack.remove(stack.size() - 1);
        state[node] = 2;
        return null;
    }

    /** Reads a mapping's fields, recording marks, refusing duplicates and unknown keys. */
    private Map<String, Node> fields(Node node, String prefix, String label, List<String> known, List<String> ignored) {
        Map<String, Node> out = new LinkedHashMap<>();
        if (!(node instanceof MappingNode map)) {
            error(node, label + " must be a mapping");
            return out;
        }
        count(node);
        Set<String> seen = new HashSet<>();
        for (NodeTuple t : map.getValue()) {
            String key = t.getKeyNode() instanceof ScalarNode k ? k.getValue() : null;
            if (key == null) {
                error(t.getKeyNode(), label + ": keys must be plain names");
                continue;
            }
            if (!seen.add(key)) {
                error(t.getKeyNode(), label + ": duplicate key '" + key + "'");
                continue;
            }
            marks.put(prefix + key, mark(t.getValueNode().getStartMark()));
            // 'key:' with no value (or null / ~) means the field is not set, as in Cloud Build's JSON.
            Node value = isNull(t.getValueNode()) ? null : t.getValueNode();
            if (known.contains(key)) {
                if (value != null) {
                    out.put(key, value);
                }
            } else if (ignored.contains(key)) {
                warn(t.getKeyNode(), label + ": '" + key + "' is read but not acted on by Kiln");
                if (value != null) {
                    out.put(key, value);
                }
            } else if (!full()) {
                List<String> all = new ArrayList<>(known);
                all.addAll(ignored);
                error(t.getKeyNode(), label + ": unknown field '" + key + "'" + didYouMean(key, all));
            }
        }
        return out;
    }

    private String scalar(Node node, String path) {
        if (node == null) {
            return null;
        }
        count(node);
        if (node instanceof ScalarNode s) {
            marks.put(path, mark(s.getStartMark()));
            spend(s);
            return s.getValue();
        }
        error(node, path + " must be a single value, not a " + kind(node));
        return null;
    }

    private List<String> strings(Node node, String path) {
        if (node == null) {
            return List.of();
        }
        if (node instanceof ScalarNode s) {
            // A lone value where a list is expected is a common slip; accept it as a list of one.
            marks.put(path + "[0]", mark(s.getStartMark()));
            spend(s);
            return List.of(s.getValue());
        }
        if (!(node instanceof SequenceNode seq)) {
            error(node, path + " must be a list of values, not a " + kind(node));
            return List.of();
        }
        count(node);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < seq.getValue().size(); i++) {
            Node item = seq.getValue().get(i);
            String v = scalar(item, path + "[" + i + "]");
            if (v != null) {
                out.add(v);
            }
        }
        return List.copyOf(out);
    }

    private List<String> envList(Node node, String path) {
        List<String> env = strings(node, path);
        for (int i = 0; i < env.size(); i++) {
            String e = env.get(i);
            int eq = e.indexOf('=');
            if (eq <= 0) {
                error(marks.get(path + "[" + i + "]"), path + ": '" + e + "' must have the form KEY=VALUE");
            }
        }
        return env;
    }

    private Map<String, String> substitutions(Node node) {
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
            String value = scalar(t.getValueNode(), "substitutions." + key);
            marks.put("substitutions." + key, mark(t.getKeyNode().getStartMark()));
            if (value != null) {
                out.put(key, value);
            }
        }
        return out;
    }

    private Duration duration(Node node, String label) {
        String text = scalar(node, label);
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

    private boolean bool(Node node, String label) {
        String text = scalar(node, label);
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

    /**
     * Counts the characters of every value read. Without aliases they add up to at most the file's
     * size; with aliases ({@code *name} repeating a long value) they can add up to far more, and
     * every consumer of the spec (planner, JSON for agents, the database) would pay for each copy.
     */
    private void spend(ScalarNode s) {
        long before = valueChars;
        valueChars += s.getValue().length();
        if (before <= MAX_BYTES && valueChars > MAX_BYTES) {
            error(s, "config values add up to more than " + MAX_BYTES
                    + " characters; aliases (*name) repeat a value too often");
        }
    }

    private static boolean isNull(Node node) {
        return node instanceof ScalarNode s && Tag.NULL.equals(s.getTag());
    }

    /** True (and the problem counted) when no more errors are listed. */
    private boolean full() {
        if (errors.size() >= MAX_PROBLEMS) {
            droppedErrors++;
            return true;
        }
        return false;
    }

    private void count(Node node) {
        if (++nodes == MAX_NODES) {
            error(node, "config has more than " + MAX_NODES + " values");
        }
    }

    private static String kind(Node node) {
        return node instanceof MappingNode ? "mapping" : node instanceof SequenceNode ? "list" : "value";
    }

    static String didYouMean(String word, Iterable<String> candidates) {
        if (word.length() > MAX_SUGGEST_LENGTH) {
            return "";
        }
        int limit = Math.max(1, word.length() / 3);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        String w = word.toLowerCase(Locale.ROOT);
        for (String c : candidates) {
            // The distance is at least the difference in length: skip the hopeless (and long) ones.
            if (Math.abs(c.length() - word.length()) > limit) {
                continue;
            }
            int d = distance(w, c.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        // A suggestion must keep something of the word: never 'a' for 'c' or 'id' for '<<'.
        return best != null && bestDistance <= limit && bestDistance < word.length()
                ? "; did you mean '" + best + "'?" : "";
    }

    /** Edits (insert, delete, replace, swap two neighbours) that turn {@code a} into {@code b}. */
    private static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    private void error(Node node, String message) {
        error(mark(node.getStartMark()), message);
    }

    private void error(SourceMark mark, String message) {
        if (!full()) {
            errors.add(new ConfigProblem(mark != null ? mark : at(1, 1), clip(message)));
        }
    }

    private void warn(Node node, String message) {
        warnings.add(new ConfigProblem(mark(node.getStartMark()), clip(message)));
    }

    private static String clip(String message) {
        return message.length() <= MAX_MESSAGE ? message : message.substring(0, MAX_MESSAGE) + "...";
    }

    private SourceMark mark(Mark m) {
        return m == null ? at(1, 1) : at(m.getLine() + 1, m.getColumn() + 1);
    }

    private SourceMark at(int line, int column) {
        return new SourceMark(file, line, column);
    }
}
