package dev.kiln.spec.plan;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Resolves user substitution values that name other substitutions or built-ins, as Cloud Build
 * does with {@code options.dynamicSubstitutions} (and always for a build a trigger started). A
 * value is resolved after every value it names, whatever the order they were written in; a value
 * given with the build replaces the file's default before anything is resolved. Built-ins are
 * facts and are not expanded. Values naming each other in a circle are an error naming the circle.
 */
final class DynamicSubstitutions {
    /** How deep values may name each other; deeper is refused rather than risking the stack. */
    static final int MAX_DEPTH = 100;

    /** What resolving tells its caller, about the value of {@code key}. */
    interface Reporter {
        void used(String name);

        void unknown(String key, String name);

        void invalid(String key, String expression, String why);

        /** The keys on a circle, the first repeated at the end: {@code [_A, _B, _A]}. */
        void cycle(List<String> keys);

        /** {@code key} expands past what a plan may hold, or names others too deeply. */
        void tooBig(String key, String why);
    }

    private final Map<String, String> builtIns;
    private final Map<String, String> raw;
    private final Reporter reporter;
    private final Map<String, String> resolved = new HashMap<>();
    private final List<String> stack = new ArrayList<>();
    private long budget;

    private DynamicSubstitutions(Map<String, String> builtIns, Map<String, String> raw, Reporter reporter, long budget) {
        this.builtIns = builtIns;
        this.raw = raw;
        this.reporter = reporter;
        this.budget = budget;
    }

    /**
     * Built-ins as they are, then every user substitution resolved. {@code maxChars} bounds all
     * resolved values together: values doubling each other could otherwise fill memory.
     */
    static Map<String, String> resolve(Map<String, String> builtIns, Map<String, String> user, Reporter reporter,
                                       long maxChars) {
        DynamicSubstitutions d = new DynamicSubstitutions(builtIns, user, reporter, maxChars);
        Map<String, String> out = new LinkedHashMap<>(builtIns);
        for (String key : user.keySet()) {
            out.put(key, d.value(key));
        }
        return out;
    }

    private String value(String key) {
        String done = resolved.get(key);
        if (done != null) {
            return done;
        }
        int at = stack.indexOf(key);
        if (at >= 0) {
            List<String> circle = new ArrayList<>(stack.subList(at, stack.size()));
            circle.add(key);
            reporter.cycle(circle);
            return "";
        }
        if (stack.size() >= MAX_DEPTH) {
            reporter.tooBig(key, "substitutions name each other more than " + MAX_DEPTH + " deep");
            resolved.put(key, "");
            return "";
        }
        stack.add(key);
        Expansion expansion = new Expansion(this::lookup, new Expansion.Listener() {
            @Override
            public void used(String name) {
                reporter.used(name);
            }

            @Override
            public void unknown(String name) {
                reporter.unknown(key, name);
            }

            @Override
            public void invalid(String expression, String why) {
                reporter.invalid(key, expression, why);
            }
        }, Math.max(0, budget));
        String v = expansion.expand(raw.get(key));
        stack.remove(stack.size() - 1);
        if (v == null) {
            reporter.tooBig(key, "its value would be longer than the " + Planner.MAX_PLAN_CHARS
                    + " characters a build may hold");
            v = "";
        }
        budget -= v.length();
        resolved.put(key, v);
        return v;
    }

    private String lookup(String name) {
        return raw.containsKey(name) ? value(name) : builtIns.get(name);
    }
}
