package dev.kiln.spec.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Maps a config's node tree onto {@link BuildSpec} and {@link Step}: which fields exist, which are
 * Cloud Build's but not acted on, and which cannot go together. Steps are checked one by one here;
 * how they wait for each other is {@link StepGraph}'s job.
 */
final class SchemaMapper {
    private static final int MAX_STEPS = 1_000;

    static final List<String> TOP_FIELDS = List.of("steps", "timeout", "queueTtl", "substitutions",
            "options", "images", "artifacts", "tags", "availableSecrets", "gates");
    /** Cloud Build fields Kiln reads but does not act on: a warning, and an error only for a wrong type. */
    static final List<String> TOP_IGNORED = IgnoredFields.TOP.names();
    static final List<String> STEP_FIELDS = List.of("name", "args", "entrypoint", "script", "env", "dir",
            "id", "waitFor", "timeout", "allowFailure", "allowExitCodes", "secretEnv", "agent", "volumes", "metrics", "artifacts");
    static final List<String> STEP_IGNORED = IgnoredFields.STEP.names();
    static final List<String> OPTION_FIELDS = List.of("env", "substitutionOption", "dynamicSubstitutions", "pool",
            "agent", "volumes");
    static final List<String> OPTION_IGNORED = IgnoredFields.OPTIONS.names();

    private final String file;
    private final Problems problems;
    private final NodeReader read;
    private final ShapeCheck shapes;
    private final Volumes volumes;
    private final StepOutputs outputs;
    /** Labels steps ask for: a build runs whole on one agent, so they are the build's too. */
    private final List<String> stepLabels = new ArrayList<>();

    SchemaMapper(String file, Problems problems) {
        this.file = file;
        this.problems = problems;
        this.read = new NodeReader(file, problems);
        this.shapes = new ShapeCheck(read);
        this.volumes = new Volumes(read);
        this.outputs = new StepOutputs(read);
    }

    /** The spec as far as it could be read; its problems are in the {@link Problems} given. */
    BuildSpec map(Node root) {
        Map<String, Node> top = read.fields(root, "", "config", TOP_FIELDS, TOP_IGNORED);
        shapes.fields(top, IgnoredFields.TOP, "");
        List<Step> steps = new ArrayList<>();
        Node stepsNode = top.get("steps");
        if (stepsNode == null) {
            if (root instanceof MappingNode) {
                read.error(root, "config has no 'steps'");
            }
        } else if (stepsNode instanceof SequenceNode seq) {
            if (seq.getValue().isEmpty()) {
                read.error(seq, "'steps' is empty; a build needs at least one step");
            }
            if (seq.getValue().size() > MAX_STEPS) {
                read.error(seq, "a build may have at most " + MAX_STEPS + " steps");
            } else {
                for (int i = 0; i < seq.getValue().size(); i++) {
                    Step s = step(seq.getValue().get(i), i);
                    if (s != null) {
                        steps.add(s);
                    }
                }
            }
        } else {
            read.error(stepsNode, "'steps' must be a list of steps");
        }
        Duration timeout = read.duration(top.get("timeout"), "timeout");
        Duration queueTtl = read.duration(top.get("queueTtl"), read.name("queueTtl"));
        List<String> withoutDefault = new ArrayList<>();
        Map<String, String> subs = read.substitutions(top.get("substitutions"), withoutDefault);
        boolean dynamic = false;
        List<String> env = List.of();
        boolean loose = false;
        List<String> labels = new ArrayList<>();
        List<Volume> buildVolumes = List.of();
        Node options = top.get("options");
        if (options != null) {
            Map<String, Node> o = read.fields(options, "options.", "options", OPTION_FIELDS, OPTION_IGNORED);
            shapes.fields(o, IgnoredFields.OPTIONS, "options.");
            env = read.envList(o.get("env"), "options.env", "options.env");
            dynamic = read.bool(o.get("dynamicSubstitutions"), read.shown("options.dynamicSubstitutions"));
            Node opt = o.get("substitutionOption");
            String option = read.shown("options.substitutionOption");
            String value = read.scalar(opt, "options.substitutionOption", option, ControlCharacters.NONE);
            if (value != null) {
                if (value.equals("ALLOW_LOOSE")) {
                    loose = true;
                } else if (!value.equals("MUST_MATCH")) {
                    read.error(opt, option + " must be MUST_MATCH or ALLOW_LOOSE, not '" + value + "'");
                }
            }
            buildVolumes = volumes.read(o.get("volumes"), "options.volumes");
            labels.addAll(poolLabel(o.get("pool")));
            addLabels(labels, agentLabels(o.get("agent"), "options.agent", "options.agent"));
        }
        addLabels(labels, stepLabels);
        steps = withBuildVolumes(steps, buildVolumes);
        List<String> images = read.strings(top.get("images"), "images", "images", ControlCharacters.NONE);
        List<String> tags = read.strings(top.get("tags"), "tags", "tags", ControlCharacters.NONE);
        ArtifactObjects objects = ArtifactObjects.NONE;
        if (top.containsKey("artifacts")) {
            shapes.check(top.get("artifacts"), IgnoredFields.ARTIFACTS, "artifacts");
            objects = outputs.objects(top.get("artifacts"));
        }
        shapes.fields(top, IgnoredFields.AVAILABLE_SECRETS, "");
        Map<String, String> secrets = new SecretNames(read, problems).read(top.get("availableSecrets"), top.get("secrets"),
                steps);
        var gates = new GatesReader(read).read(top.get("gates"));
        return new BuildSpec(file, List.copyOf(steps), timeout, queueTtl, subs, loose, env, images, tags,
                List.copyOf(labels), problems.warnings(), read.marks(),
                new SubstitutionInfo(dynamic, withoutDefault, References.in(root)), objects, secrets, gates);
    }

    /** Kiln's {@code agent: {labels: [...]}}, on the build's options or on a step. */
    private List<String> agentLabels(Node agent, String path, String what) {
        if (agent == null) {
            return List.of();
        }
        Map<String, Node> a = read.fields(agent, path + ".", what, List.of("labels"), List.of());
        return read.labels(a.get("labels"), path + ".labels", what + ".labels");
    }

    private static void addLabels(List<String> to, List<String> more) {
        for (String l : more) {
            if (!to.contains(l)) {
                to.add(l);
            }
        }
    }

    /**
     * Cloud Build's private pool as an agent label: the last segment of its resource name
     * ({@code projects/P/locations/L/workerPools/gpu} is {@code gpu}); a bare name is taken as is.
     */
    private List<String> poolLabel(Node pool) {
        if (pool == null) {
            return List.of();
        }
        Map<String, Node> p = read.fields(pool, "options.pool.", "options.pool", List.of("name"), List.of());
        Node nameNode = p.get("name");
        String name = read.scalar(nameNode, "options.pool.name", "options.pool.name", ControlCharacters.NONE);
        if (name == null) {
            return List.of();
        }
        String label = name.substring(name.lastIndexOf('/') + 1);
        String problem = label.isEmpty()
                ? "'" + name + "' ends in '/'; give the pool's name, e.g. projects/P/locations/L/workerPools/gpu"
                : NodeReader.labelProblem(label);
        if (problem != null) {
            read.error(nameNode, "options.pool.name: " + problem);
            return List.of();
        }
        return List.of(label);
    }

    private Step step(Node node, int index) {
        String path = "steps[" + index + "]";
        String label = "step #" + index;
        if (!(node instanceof MappingNode map)) {
            read.error(node, label + " must be a mapping with 'args' or 'script'");
            return null;
        }
        // Name the step by its id in every message about it, also those found before the id is read.
        for (NodeTuple t : map.getValue()) {
            if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals("id")
                    && t.getValueNode() instanceof ScalarNode v && !NodeReader.isNull(v)) {
                label = stepLabel(v.getValue());
                break;
            }
        }
        Map<String, Node> f = read.fields(node, path + ".", label, STEP_FIELDS, STEP_IGNORED);
        shapes.fields(f, IgnoredFields.STEP, path + ".");
        String id = read.scalar(f.get("id"), path + ".id", label + ": id", ControlCharacters.NONE);
        if (id != null) {
            label = stepLabel(id);
            if (id.isBlank() || id.equals("-")) {
                read.error(f.get("id"), label + ": id must not be blank or '-'");
            }
        }
        int refusedBefore = read.refusals();
        String name = read.scalar(f.get("name"), path + ".name", label + ": name", ControlCharacters.NONE);
        if (NativeSteps.is(name)) {
            NativeSteps.check(read, f, label, name);
        }
        String entrypoint = read.scalar(f.get("entrypoint"), path + ".entrypoint", label + ": entrypoint",
                ControlCharacters.NONE);
        // Multi-line shell ('sh -c' args, scripts) needs tabs and line breaks; names and paths do not.
        List<String> args = read.strings(f.get("args"), path + ".args", label + ": args",
                ControlCharacters.TABS_AND_LINE_BREAKS);
        String script = read.scalar(f.get("script"), path + ".script", label + ": script",
                ControlCharacters.TABS_AND_LINE_BREAKS);
        // What to run was given but refused for its characters, with its own error: do not pile on.
        boolean runRefused = read.refusals() > refusedBefore;
        if (script != null && !args.isEmpty()) {
            read.error(f.get("script"), label + ": 'script' and 'args' cannot both be set");
        }
        if (script != null && entrypoint != null) {
            read.error(f.get("script"), label + ": 'script' and 'entrypoint' cannot both be set");
        }
        boolean local = name == null || name.equals("local");
        // Args given but all refused (e.g. [[x]]) already have their own error: do not pile on.
        boolean argsGiven = !args.isEmpty() || (f.get("args") instanceof SequenceNode a && !a.getValue().isEmpty());
        if (local && script == null && !argsGiven && entrypoint == null && !runRefused) {
            read.error(node, label + ": nothing to run; give 'args' or 'script'");
        }
        List<String> env = read.envList(f.get("env"), path + ".env", label + ": env");
        String dir = read.scalar(f.get("dir"), path + ".dir", label + ": dir", ControlCharacters.NONE);
        if (dir != null) {
            String relative = WorkspacePaths.relative(dir); // Cloud Build's /workspace/app is Kiln's app
            if (relative == null) {
                read.error(f.get("dir"), label + ": dir " + WorkspacePaths.problem(dir));
            }
            dir = relative;
            if (NativeSteps.is(name)) {
                NativeSteps.checkDir(read, f.get("dir"), label, relative);
            }
        }
        String waitForName = label + ": " + read.name(path + ".waitFor");
        List<String> waitFor = f.containsKey("waitFor")
                ? read.strings(f.get("waitFor"), path + ".waitFor", waitForName, ControlCharacters.NONE) : null;
        if (waitFor != null && waitFor.isEmpty()) {
            waitFor = null; // as in Cloud Build: an empty waitFor means "all previous steps"
        }
        if (waitFor != null && waitFor.contains("-") && waitFor.size() > 1) {
            read.error(f.get("waitFor"), waitForName + " '-' means 'start at once' and cannot be combined with step ids");
        }
        Duration timeout = read.duration(f.get("timeout"), label + ": timeout");
        boolean allowFailure = read.bool(f.get("allowFailure"), label + ": " + read.name(path + ".allowFailure"));
        List<Integer> exitCodes = read.wholeNumbers(f.get("allowExitCodes"), path + ".allowExitCodes",
                label + ": " + read.name(path + ".allowExitCodes"));
        String secretEnvName = label + ": " + read.name(path + ".secretEnv");
        List<String> secretEnv = read.strings(f.get("secretEnv"), path + ".secretEnv", secretEnvName,
                ControlCharacters.NONE);
        // Checked against availableSecrets once the whole config is read (see SecretNames).
        addLabels(stepLabels, agentLabels(f.get("agent"), path + ".agent", label + ": agent"));
        List<Volume> stepVolumes = volumes.read(f.get("volumes"), path + ".volumes");
        if (local && !stepVolumes.isEmpty()) {
            read.error(f.get("volumes"), label + ": volumes are mounted into containers; this step runs as a process"
                    + " on the agent (no 'name'): give it an image or drop 'volumes'");
        }
        String metrics = outputs.metrics(f.get("metrics"), path + ".metrics", label);
        List<String> artifacts = outputs.artifacts(f.get("artifacts"), path + ".artifacts", label);
        return new Step(index, id, name, entrypoint, args, script, env, dir, waitFor, timeout, allowFailure,
                exitCodes, secretEnv, read.mark(node), stepVolumes, metrics, artifacts);
    }

    /**
     * Adds {@code options.volumes} to every step in an image. As in Cloud Build, a step's own volume
     * may not take a path the build's volumes already use for another volume.
     */
    private List<Step> withBuildVolumes(List<Step> steps, List<Volume> build) {
        if (build.isEmpty()) {
            return steps;
        }
        List<Step> out = new ArrayList<>();
        for (Step s : steps) {
            if (s.isLocal() || s.isNative()) {
                out.add(s);
                continue;
            }
            List<Volume> all = new ArrayList<>(build);
            for (int i = 0; i < s.volumes().size(); i++) {
                Volume v = s.volumes().get(i);
                Volume taken = build.stream().filter(b -> b.path().equals(v.path())).findFirst().orElse(null);
                if (taken == null) {
                    all.add(v);
                } else if (!taken.name().equals(v.name())) {
                    String at = "steps[" + s.index() + "].volumes[" + i + "].path";
                    problems.error(read.marks().getOrDefault(at, s.mark()), read.shown(at) + " '" + v.path()
                            + "' is options.volumes' path for volume '" + taken.name() + "'; use another path");
                }
            }
            out.add(s.withVolumes(all));
        }
        return List.copyOf(out);
    }

    /** The step as messages name it: a control character in its id must not break the message's line. */
    private static String stepLabel(String id) {
        return "step '" + ControlCharacters.shown(id.length() <= 80 ? id : id.substring(0, 80) + "...") + "'";
    }
}
