package dev.kiln.spec.plan;

import dev.kiln.spec.config.BuildSpec;
import dev.kiln.spec.config.ConfigException;
import dev.kiln.spec.config.ConfigParser;
import dev.kiln.spec.config.ConfigProblem;
import dev.kiln.spec.config.ControlCharacters;
import dev.kiln.spec.config.Problems;
import dev.kiln.spec.config.SourceMark;
import dev.kiln.spec.config.Step;
import dev.kiln.spec.config.StepGraph;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Compiles a validated {@link BuildSpec} and a {@link BuildContext} into the {@link BuildPlan} an
 * agent runs: substitutions applied (MUST_MATCH unless ALLOW_LOOSE), waitFor resolved to indexes
 * by the same {@link StepGraph} that checked it when the config was parsed. A substitution can
 * bring in a control character the parser never saw: the expanded text is checked again, so a
 * plan never holds what an agent cannot run.
 */
public final class Planner {
    /** Cloud Build's default build timeout. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(60);
    /**
     * Most characters a plan may hold after substitutions (args, env, scripts...). A short config
     * that names a long substitution many times is refused instead of filling memory.
     */
    public static final long MAX_PLAN_CHARS = 8L * ConfigParser.MAX_BYTES;
    private static final String USER_KEY = "_[A-Z0-9_]+";

    private final BuildSpec spec;
    private final Map<String, String> values = new LinkedHashMap<>();
    private final Set<String> used = new HashSet<>();
    private final Problems problems;
    private long budget = MAX_PLAN_CHARS;
    private boolean tooBig;

    private Planner(BuildSpec spec, BuildContext context) {
        this.spec = spec;
        this.problems = new Problems(spec.file());
        values.putAll(context.builtIns());
        values.putAll(spec.substitutions());
        values.putAll(context.userSubstitutions());
    }

    public static BuildPlan plan(BuildSpec spec, BuildContext context) throws ConfigException {
        return new Planner(spec, context).run(context);
    }

    private BuildPlan run(BuildContext context) throws ConfigException {
        Set<String> builtIns = context.builtIns().keySet();
        for (String key : new TreeSet<>(context.userSubstitutions().keySet())) {
            if (!key.matches(USER_KEY)) {
                problems.error(problems.top(), "substitution '" + key
                        + "' given with the build must start with '_' and use only A-Z, 0-9 and '_'");
            }
        }
        // A parsed spec has a sound graph; one built by hand is checked here as the parser would.
        StepGraph graph = StepGraph.resolve(spec.steps(), spec::markOf, problems);
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
                // Cloud Build does not expand inside scripts; it maps substitutions to env vars instead.
                Substitutions.scan(s.script(), used);
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
            String dir = expand(s.dir(), p + ".dir", label + "dir", ControlCharacters.NONE);
            steps.add(new StepPlan(s.index(), s.displayId(), image, entrypoint,
                    List.copyOf(args), s.script(), List.copyOf(env), dir,
                    graph.waitFor(s.index()), s.timeout() == null ? 0 : s.timeout().toMillis(), s.allowFailure(),
                    s.allowExitCodes(), s.secretEnv()));
        }
        List<String> images = new ArrayList<>();
        for (int i = 0; i < spec.images().size(); i++) {
            images.add(expand(spec.images().get(i), "images[" + i + "]", "images", ControlCharacters.NONE));
        }
        if (tooBig) {
            throw new ConfigException(List.of(new ConfigProblem(problems.top(),
                    "after substitutions the build would hold more than " + MAX_PLAN_CHARS
                            + " characters; substitutions repeat long values too often")));
        }
        if (!spec.allowLooseSubstitutions()) {
            Set<String> declared = new TreeSet<>(spec.substitutions().keySet());
            for (String key : context.userSubstitutions().keySet()) {
                if (key.matches(USER_KEY)) {
                    declared.add(key);
                }
            }
            for (String key : declared) {
                if (!used.contains(key) && !builtIns.contains(key)) {
                    SourceMark m = spec.marks().containsKey("substitutions." + key)
                            ? spec.markOf("substitutions." + key) : problems.top();
                    problems.error(m, "substitution '" + key
                            + "' is defined but not used; use it, remove it, or set options.substitutionOption: ALLOW_LOOSE");
                }
            }
        }
        problems.throwIfAny();
        Duration timeout = spec.timeout() != null ? spec.timeout() : DEFAULT_TIMEOUT;
        return new BuildPlan(BuildPlan.VERSION, context.buildId(), timeout.toMillis(), List.copyOf(steps), List.copyOf(images));
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
        String out = Substitutions.expand(text, values, used::add, name -> {
            if (!spec.allowLooseSubstitutions()) {
                String shown = name.length() <= 80 ? name : name.substring(0, 80) + "...";
                problems.error(spec.markOf(path), "unknown substitution '$" + shown
                        + "'; define it under 'substitutions', pass it with --substitutions, or write $$ for a literal $");
            }
        }, budget);
        if (out == null) {
            tooBig = true;
            return "";
        }
        spend(out.length());
        return out;
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
