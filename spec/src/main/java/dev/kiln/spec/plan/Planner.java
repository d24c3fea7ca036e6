package dev.kiln.spec.plan;

import dev.kiln.spec.config.BuildSpec;
import dev.kiln.spec.config.ConfigException;
import dev.kiln.spec.config.ConfigParser;
import dev.kiln.spec.config.ConfigProblem;
import dev.kiln.spec.config.SourceMark;
import dev.kiln.spec.config.Step;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Compiles a validated {@link BuildSpec} and a {@link BuildContext} into the {@link BuildPlan} an
 * agent runs: substitutions applied (MUST_MATCH unless ALLOW_LOOSE), waitFor resolved to indexes.
 */
public final class Planner {
    /** Cloud Build's default build timeout. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(60);
    /**
     * Most characters a plan may hold after substitutions (args, env, scripts...). A short config
     * that names a long substitution many times is refused instead of filling memory.
     */
    public static final long MAX_PLAN_CHARS = 8L * ConfigParser.MAX_BYTES;
    private static final int MAX_PROBLEMS = 100;
    private static final String USER_KEY = "_[A-Z0-9_]+";

    private final BuildSpec spec;
    private final Map<String, String> values = new LinkedHashMap<>();
    private final Set<String> used = new HashSet<>();
    private final List<ConfigProblem> errors = new ArrayList<>();
    private int droppedErrors;
    private long budget = MAX_PLAN_CHARS;
    private boolean tooBig;

    private Planner(BuildSpec spec, BuildContext context) {
        this.spec = spec;
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
                error(new SourceMark(spec.file(), 1, 1), "substitution '" + key
                        + "' given with the build must start with '_' and use only A-Z, 0-9 and '_'");
            }
        }
        Map<String, Integer> ids = new HashMap<>();
        for (Step s : spec.steps()) {
            if (s.id() != null) {
                ids.putIfAbsent(s.id(), s.index());
            }
        }
        // options.env is the same for every step: expand it once, so a problem in it is told once.
        List<String> buildEnv = new ArrayList<>();
        for (int i = 0; i < spec.env().size(); i++) {
            buildEnv.add(expand(spec.env().get(i), "options.env[" + i + "]"));
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
                env.add(expand(s.env().get(i), p + ".env[" + i + "]"));
            }
            List<String> args = new ArrayList<>();
            for (int i = 0; i < s.args().size(); i++) {
                args.add(expand(s.args().get(i), p + ".args[" + i + "]"));
            }
            List<Integer> waitFor = new ArrayList<>();
            if (s.waitFor() == null || s.waitFor().isEmpty()) {
                // As in Cloud Build: no waitFor (or an empty one) means all previous steps.
                for (int i = 0; i < s.index(); i++) {
                    waitFor.add(i);
                }
            } else {
                for (String w : s.waitFor()) {
                    if (!w.equals("-") && ids.containsKey(w)) {
                        waitFor.add(ids.get(w));
                    }
                }
            }
            String image = s.isLocal() ? null : expand(s.name(), p + ".name");
            steps.add(new StepPlan(s.index(), s.displayId(), image, expand(s.entrypoint(), p + ".entrypoint"),
                    List.copyOf(args), s.script(), List.copyOf(env), expand(s.dir(), p + ".dir"),
                    List.copyOf(waitFor), s.timeout() == null ? 0 : s.timeout().toMillis(), s.allowFailure(),
                    s.allowExitCodes(), s.secretEnv()));
        }
        List<String> images = new ArrayList<>();
        for (int i = 0; i < spec.images().size(); i++) {
            images.add(expand(spec.images().get(i), "images[" + i + "]"));
        }
        if (tooBig) {
            throw new ConfigException(List.of(new ConfigProblem(new SourceMark(spec.file(), 1, 1),
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
                            ? spec.markOf("substitutions." + key) : new SourceMark(spec.file(), 1, 1);
                    error(m, "substitution '" + key
                            + "' is defined but not used; use it, remove it, or set options.substitutionOption: ALLOW_LOOSE");
                }
            }
        }
        if (!errors.isEmpty()) {
            errors.sort(Comparator.comparingInt((ConfigProblem e) -> e.mark().line())
                    .thenComparingInt(e -> e.mark().column()));
            if (droppedErrors > 0) {
                errors.add(new ConfigProblem(new SourceMark(spec.file(), 1, 1),
                        "... and " + droppedErrors + " more problems not listed"));
            }
            throw new ConfigException(errors);
        }
        Duration timeout = spec.timeout() != null ? spec.timeout() : DEFAULT_TIMEOUT;
        return new BuildPlan(BuildPlan.VERSION, context.buildId(), timeout.toMillis(), List.copyOf(steps), List.copyOf(images));
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
                error(spec.markOf(path), "unknown substitution '$" + shown
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

    private void error(SourceMark mark, String message) {
        if (errors.size() >= MAX_PROBLEMS) {
            droppedErrors++;
        } else {
            errors.add(new ConfigProblem(mark, message));
        }
    }
}
