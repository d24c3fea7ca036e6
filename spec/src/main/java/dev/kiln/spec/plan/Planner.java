package dev.kiln.spec.plan;

import dev.kiln.spec.config.BuildSpec;
import dev.kiln.spec.config.ConfigException;
import dev.kiln.spec.config.SecretNames;
import dev.kiln.spec.config.ConfigParser;
import dev.kiln.spec.config.ConfigProblem;
import dev.kiln.spec.config.ControlCharacters;
import dev.kiln.spec.config.NativeSteps;
import dev.kiln.spec.config.Problems;
import dev.kiln.spec.config.References;
import dev.kiln.spec.config.SourceMark;
import dev.kiln.spec.config.Step;
import dev.kiln.spec.config.StepGraph;
import dev.kiln.spec.config.WorkspacePaths;
import dev.kiln.spec.promotion.Gate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Compiles a validated {@link BuildSpec} and a {@link BuildContext} into the {@link BuildPlan} an
 * agent runs: substitutions applied (MUST_MATCH unless ALLOW_LOOSE; dynamic ones resolved first
 * when the config or a trigger asks for them), ids and waitFor substituted and resolved to indexes
 * by the same {@link StepGraph} the parser checks with. A substitution can bring in a control
 * character the parser never saw: the expanded text is checked again, so a plan never holds what
 * an agent cannot run.
 */
public final class Planner {
    /** Cloud Build's default build timeout. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(60);
    /**
     * Most characters a plan may hold after substitutions (args, env, scripts...). A short config
     * that names a long substitution many times is refused instead of filling memory.
     */
    public static final long MAX_PLAN_CHARS = 8L * ConfigParser.MAX_BYTES;
    /** What a user substitution's name looks like. */
    public static final String USER_KEY = "_[A-Z0-9_]+";
    static final String SUPPORTED_OPERATIONS = "${V:offset}, ${V:offset:length}, ${#V}, ${V#p}, ${V##p}, ${V%p}, "
            + "${V%%p}, ${V/p/r}, ${V//p/r}, ${V/#p/r}, ${V/%p/r}, ${V^}, ${V^^}, ${V,}, ${V,,}, ${V-d}, ${V:-d}, "
            + "${V=d}, ${V:=d}";

    private final BuildSpec spec;
    private final BuildContext context;
    private final boolean dynamic;
    private final Map<String, String> values = new LinkedHashMap<>();
    private final Set<String> used = new HashSet<>();
    /** User substitutions the build needs and was not given, in the order first met. */
    private final Set<String> missing = new LinkedHashSet<>();
    private final Problems problems;
    private long budget = MAX_PLAN_CHARS;
    private boolean tooBig;

    private Planner(BuildSpec spec, BuildContext context) {
        this.spec = spec;
        this.context = context;
        this.dynamic = spec.substitutionInfo().dynamic() || context.triggered();
        this.problems = new Problems(spec.file());
    }

    public static BuildPlan plan(BuildSpec spec, BuildContext context) throws ConfigException {
        return new Planner(spec, context).run();
    }

    private BuildPlan run() throws ConfigException {
        for (String key : new TreeSet<>(context.userSubstitutions().keySet())) {
            if (!key.matches(USER_KEY)) {
                problems.error(problems.top(), "substitution '" + key
                        + "' given with the build must start with '_' and use only A-Z, 0-9 and '_'");
            }
        }
        resolveValues();
        used.addAll(spec.substitutionInfo().referenced());
        Graph graph = graph();
        // options.env is the same for every step: expand it once, so a problem in it is told once.
        List<String> buildEnv = new ArrayList<>();
        for (int i = 0; i < spec.env().size(); i++) {
            buildEnv.add(expand(spec.env().get(i), "options.env[" + i + "]", "options.env", ControlCharacters.ENV_ENTRY));
        }
        if (spec.steps().stream().anyMatch(s -> s.script() != null)) {
            // Script steps get every substitution, as it is, in their environment: check each value once.
            values.forEach((key, value) -> {
                String problem = ControlCharacters.TABS_AND_LINE_BREAKS.problem(value);
                if (problem != null) {
                    problems.error(problems.top(), "substitution '" + key + "': " + problem
                            + "; script steps get it as an environment variable");
                }
            });
        }
        long exportChars = 0;
        for (Map.Entry<String, String> e : values.entrySet()) {
            exportChars += e.getKey().length() + 1 + e.getValue().length();
        }
        List<StepPlan> steps = new ArrayList<>();
        for (Step s : spec.steps()) {
            if (tooBig) {
                break;
            }
            String p = "steps[" + s.index() + "]";
            String label = "step '" + s.displayId() + "': ";
            // Later entries win when the agent applies them: substitutions, then options.env, then the step's own env.
            List<String> env = new ArrayList<>();
            if (s.script() != null) {
                // Cloud Build does not expand inside scripts; it maps substitutions to env vars instead
                // (automapSubstitutions), which Kiln always does. A name in a script is a use of it.
                References.scan(s.script(), used);
                if (spend(exportChars + s.script().length())) {
                    values.forEach((k, v) -> env.add(k + "=" + v));
                }
            }
            env.addAll(buildEnv);
            for (int i = 0; i < s.env().size(); i++) {
                env.add(expand(s.env().get(i), p + ".env[" + i + "]", label + "env", ControlCharacters.ENV_ENTRY));
            }
            List<String> args = new ArrayList<>();
            for (int i = 0; i < s.args().size(); i++) {
                args.add(expand(s.args().get(i), p + ".args[" + i + "]", label + "args",
                        ControlCharacters.TABS_AND_LINE_BREAKS));
            }
            String image = s.isLocal() ? null : expand(s.name(), p + ".name", label + "name", ControlCharacters.NONE);
            String entrypoint = expand(s.entrypoint(), p + ".entrypoint", label + "entrypoint", ControlCharacters.NONE);
            String written = expand(s.dir(), p + ".dir", label + "dir", ControlCharacters.NONE);
            String dir = s.isNative() && written == null ? NativeSteps.PRODUCTION_DIR : written;
            steps.add(new StepPlan(s.index(), graph.ids().get(s.index()), image, entrypoint,
                    List.copyOf(args), s.script(), List.copyOf(env), dir,
                    graph.graph().waitFor(s.index()), s.timeout() == null ? 0 : s.timeout().toMillis(), s.allowFailure(),
                    s.allowExitCodes(), s.secretEnv(), s.volumes(),
                    s.metrics() == null ? null : StepPlan.inWorkspace(dir, s.metrics()),
                    s.artifacts().stream().map(a -> StepPlan.inWorkspace(dir, a)).toList()));
        }
        List<String> images = new ArrayList<>();
        for (int i = 0; i < spec.images().size(); i++) {
            images.add(expand(spec.images().get(i), "images[" + i + "]", "images", ControlCharacters.NONE));
        }
        Map<String, String> secrets = secretNames();
        if (tooBig) {
            throw new ConfigException(List.of(new ConfigProblem(problems.top(),
                    "after substitutions the build would hold more than " + MAX_PLAN_CHARS
                            + " characters; substitutions repeat long values too often")));
        }
        reportUnused();
        try {
            problems.throwIfAny();
        } catch (ConfigException e) {
            throw new ConfigException(e.problems(), List.copyOf(missing));
        }
        Duration timeout = spec.timeout() != null ? spec.timeout() : DEFAULT_TIMEOUT;
        List<String> artifacts = spec.artifactObjects().paths().stream().map(WorkspacePaths::relative).toList();
        return new BuildPlan(BuildPlan.VERSION, context.buildId(), timeout.toMillis(), List.copyOf(steps), List.copyOf(images),
                artifacts, secrets, spec.gates().stream().map(Gate::text).toList());
    }

    /** The Kiln secret each variable stands for, a {@code versionName} with substitutions named once substituted. */
    private Map<String, String> secretNames() {
        Map<String, String> out = new LinkedHashMap<>();
        int i = 0;
        for (Map.Entry<String, String> e : spec.secrets().entrySet()) {
            String path = "availableSecrets.secretManager[" + i++ + "].versionName";
            String version = e.getValue();
            if (SecretNames.nameOf(version) != null) {
                out.put(e.getKey(), version);
                continue;
            }
            String expanded = expand(version, path, "availableSecrets.secretManager: versionName", ControlCharacters.NONE);
            String name = expanded == null ? null : SecretNames.nameOf(expanded);
            if (name == null) {
                problems.error(spec.markOf(path), "availableSecrets.secretManager: versionName '" + version + "' is '"
                        + expanded + "' after substitutions, not projects/PROJECT/secrets/NAME/versions/VERSION or a bare"
                        + " NAME (letters, digits, '_' and '-')");
            } else {
                out.put(e.getKey(), name);
            }
        }
        return out;
    }

    /**
     * Built-ins, then the file's defaults, then the values given with the build; resolved against
     * each other when substitutions are dynamic. A key written without a value must be given.
     */
    private void resolveValues() {
        Map<String, String> user = new LinkedHashMap<>(spec.substitutions());
        for (String key : spec.substitutionInfo().withoutDefault()) {
            if (!context.userSubstitutions().containsKey(key)) {
                missing.add(key);
                problems.error(spec.markOf("substitutions." + key), key + " has no value: give it with --substitutions "
                        + key + "=... or from the trigger");
                user.put(key, ""); // told once here, not again at every use
            }
        }
        user.putAll(context.userSubstitutions());
        if (!dynamic) {
            values.putAll(context.builtIns());
            values.putAll(user);
            return;
        }
        values.putAll(DynamicSubstitutions.resolve(context.builtIns(), user, new DynamicSubstitutions.Reporter() {
            @Override
            public void used(String name) {
                used.add(name);
            }

            @Override
            public void unknown(String key, String name) {
                Planner.this.unknown(name, valueMark(key), "substitution '" + key + "': ");
            }

            @Override
            public void invalid(String key, String expression, String why) {
                Planner.this.invalid(expression, why, valueMark(key), "substitution '" + key + "': ");
            }

            @Override
            public void cycle(List<String> keys) {
                problems.error(valueMark(keys.get(0)), "substitutions name each other in a cycle: "
                        + String.join(" -> ", keys));
            }

            @Override
            public void tooBig(String key, String why) {
                problems.error(valueMark(key), "substitution '" + key + "': " + why);
            }
        }, MAX_PLAN_CHARS));
    }

    /** Where a substitution's value is told about: its key in the file, or the top when given with the build. */
    private SourceMark valueMark(String key) {
        return !context.userSubstitutions().containsKey(key) && spec.marks().containsKey("substitutions." + key)
                ? spec.markOf("substitutions." + key) : problems.top();
    }

    /** The step ids and waitFor as substituted, checked as a graph; what each step is called in the plan. */
    private record Graph(StepGraph graph, Map<Integer, String> ids) {}

    private Graph graph() {
        List<Step> substituted = new ArrayList<>();
        Map<String, String> written = new HashMap<>();
        Map<Integer, String> ids = new HashMap<>();
        for (Step s : spec.steps()) {
            String p = "steps[" + s.index() + "]";
            String label = "step '" + s.displayId() + "': ";
            String id = s.id() == null ? null : expand(s.id(), p + ".id", label + "id", ControlCharacters.NONE);
            if (id != null && !id.equals(s.id())) {
                written.put(p + ".id", s.id());
                if (id.isBlank() || id.equals("-")) {
                    problems.error(spec.markOf(p + ".id"), label + "id is '" + id
                            + "' after substitutions; it must not be blank or '-'");
                }
            }
            List<String> waitFor = null;
            if (s.waitFor() != null) {
                waitFor = new ArrayList<>();
                for (int j = 0; j < s.waitFor().size(); j++) {
                    String w = expand(s.waitFor().get(j), p + ".waitFor[" + j + "]", label + "waitFor", ControlCharacters.NONE);
                    if (!w.equals(s.waitFor().get(j))) {
                        written.put(p + ".waitFor[" + j + "]", s.waitFor().get(j));
                    }
                    waitFor.add(w);
                }
            }
            Step resolved = s.withGraph(id, waitFor);
            substituted.add(resolved);
            ids.put(s.index(), resolved.displayId());
        }
        return new Graph(StepGraph.resolveSubstituted(substituted, spec::markOf, problems, written), ids);
    }

    /** With MUST_MATCH, every substitution defined (in the file or with the build) must be used somewhere. */
    private void reportUnused() {
        if (spec.allowLooseSubstitutions()) {
            return;
        }
        Set<String> declared = new TreeSet<>(spec.substitutions().keySet());
        declared.addAll(spec.substitutionInfo().withoutDefault());
        for (String key : context.userSubstitutions().keySet()) {
            if (key.matches(USER_KEY)) {
                declared.add(key);
            }
        }
        for (String key : declared) {
            if (!used.contains(key) && !BuiltIns.isBuiltIn(key)) {
                SourceMark m = spec.marks().containsKey("substitutions." + key)
                        ? spec.markOf("substitutions." + key) : problems.top();
                problems.error(m, "substitution '" + key
                        + "' is defined but not used; use it, remove it, or set options.substitutionOption: ALLOW_LOOSE");
            }
        }
    }

    /** Expands {@code text} and refuses the control characters {@code allowed} does not allow in the result. */
    private String expand(String text, String path, String where, ControlCharacters allowed) {
        String out = expand(text, path);
        String problem = out == null ? null : allowed.problem(out);
        if (problem != null) {
            problems.error(spec.markOf(path), where + ": " + problem + " after substitutions");
        }
        return out;
    }

    private String expand(String text, String path) {
        if (text == null) {
            return null;
        }
        if (tooBig) {
            return "";
        }
        SourceMark at = spec.markOf(path);
        String out;
        if (dynamic) {
            out = new Expansion(values::get, new Expansion.Listener() {
                @Override
                public void used(String name) {
                    used.add(name);
                }

                @Override
                public void unknown(String name) {
                    Planner.this.unknown(name, at, "");
                }

                @Override
                public void invalid(String expression, String why) {
                    Planner.this.invalid(expression, why, at, "");
                }
            }, budget).expand(text);
        } else {
            out = Substitutions.expand(text, values, used::add, name -> unknown(name, at, ""), budget);
        }
        if (out == null) {
            tooBig = true;
            return "";
        }
        spend(out.length());
        return out;
    }

    /** A name with no value: an error with MUST_MATCH, and one a trigger could give when it looks like a user key. */
    private void unknown(String name, SourceMark at, String prefix) {
        if (spec.allowLooseSubstitutions()) {
            return;
        }
        if (name.matches(USER_KEY)) {
            missing.add(name);
        }
        String shown = name.length() <= 80 ? name : name.substring(0, 80) + "...";
        problems.error(at, prefix + "unknown substitution '$" + shown
                + "'; define it under 'substitutions', pass it with --substitutions, or write $$ for a literal $");
    }

    private void invalid(String expression, String why, SourceMark at, String prefix) {
        String shown = expression.length() <= 80 ? expression : expression.substring(0, 80) + "...";
        problems.error(at, prefix + "cannot expand '" + shown + "': " + why + "; Kiln supports " + SUPPORTED_OPERATIONS);
    }

    /** Takes {@code chars} from what the plan may still hold; false (and the plan too big) when it is used up. */
    private boolean spend(long chars) {
        budget -= chars;
        if (budget < 0) {
            tooBig = true;
        }
        return !tooBig;
    }
}
