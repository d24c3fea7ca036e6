package dev.kiln.spec.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * What each step waits for, as step indexes: the one reading of {@code waitFor}, shared by the
 * parser (which refuses a graph that cannot run) and the planner (which gives the indexes to
 * agents), so the two can never disagree. As in Cloud Build, no {@code waitFor} (or an empty one)
 * means all previous steps and {@code '-'} means start at once.
 *
 * @param waits for each step index, the indexes it waits for; empty for an index with no step
 */
public record StepGraph(List<List<Integer>> waits) {

    public StepGraph {
        waits = List.copyOf(waits);
    }

    /** The indexes of the steps that must finish before step {@code index} starts. */
    public List<Integer> waitFor(int index) {
        return waits.get(index);
    }

    /**
     * Resolves every step's {@code waitFor} and reports what cannot run: a duplicate id, an
     * unknown or own id, a cycle. {@code markOf} says where a value path such as
     * {@code steps[1].waitFor[0]} was written (null for the top of the file).
     */
    public static StepGraph resolve(List<Step> steps, Function<String, SourceMark> markOf, Problems problems) {
        return resolve(steps, markOf, problems, null);
    }

    /**
     * Like {@link #resolve(List, Function, Problems)}, for steps whose {@code id} and {@code waitFor}
     * hold substituted text: Cloud Build substitutes in both, so the graph is checked on what they
     * became. {@code written} maps each value path whose text a substitution changed to the text as
     * written, so that an unknown id says which substitution made it.
     */
    public static StepGraph resolveSubstituted(List<Step> steps, Function<String, SourceMark> markOf, Problems problems,
                                               Map<String, String> written) {
        return resolve(steps, markOf, problems, written);
    }

    /** {@code written} null: ids as written, where a waitFor the substitutions may still match is not refused. */
    private static StepGraph resolve(List<Step> steps, Function<String, SourceMark> markOf, Problems problems,
                                     Map<String, String> written) {
        Map<String, Integer> ids = new HashMap<>();
        for (Step s : steps) {
            if (s.id() != null) {
                Integer before = ids.putIfAbsent(s.id(), s.index());
                if (before != null) {
                    problems.error(markOf.apply("steps[" + s.index() + "].id"), "step '" + s.id()
                            + "': duplicate id; step #" + before + " has it already");
                }
            }
        }
        // Before substitutions, an id or waitFor naming a substitution may still match what the other becomes.
        boolean substituting = written == null && steps.stream().anyMatch(s -> References.any(s.id()));
        // A step that could not be read is missing from the list: index by step, not by place.
        int size = steps.stream().mapToInt(Step::index).max().orElse(-1) + 1;
        List<List<Integer>> waits = new ArrayList<>(Collections.nCopies(size, List.<Integer>of()));
        Map<Integer, Step> byIndex = new HashMap<>();
        for (Step s : steps) {
            byIndex.put(s.index(), s);
            waits.set(s.index(), dependencies(s, ids, markOf, problems, written, substituting));
        }
        reportCycle(steps, byIndex, waits, problems);
        return new StepGraph(waits);
    }

    private static List<Integer> dependencies(Step s, Map<String, Integer> ids, Function<String, SourceMark> markOf,
                                              Problems problems, Map<String, String> written, boolean substituting) {
        List<Integer> d = new ArrayList<>();
        Set<Told> told = new HashSet<>();
        if (s.waitFor() == null || s.waitFor().isEmpty()) {
            for (int i = 0; i < s.index(); i++) {
                d.add(i);
            }
            return List.copyOf(d);
        }
        for (int j = 0; j < s.waitFor().size(); j++) {
            String w = s.waitFor().get(j);
            if (w.equals("-")) {
                continue;
            }
            Integer target = ids.get(w);
            String at = "steps[" + s.index() + "].waitFor[" + j + "]";
            if (target == null) {
                if (problems.full() || (written == null && (substituting || References.any(w)))) {
                    continue; // no one will see it, or the planner checks it after substitutions
                }
                SourceMark m = markOf.apply(at);
                // Aliases repeat one value at one place: build its message once, not once per alias.
                if (told.add(new Told(m, w))) {
                    problems.error(m, "step '" + s.displayId() + "' waits for unknown step '" + w + "'"
                            + origin(written, at) + Suggestions.didYouMean(w, ids.keySet()));
                }
            } else if (target == s.index()) {
                problems.error(markOf.apply(at), "step '" + s.displayId() + "': waits for itself");
            } else {
                d.add(target);
            }
        }
        return List.copyOf(d);
    }

    /** An unknown id reported at a place. */
    private record Told(SourceMark mark, String id) {}

    /** Which substitutions made the text at {@code path}, when they changed it. */
    private static String origin(Map<String, String> written, String path) {
        String raw = written == null ? null : written.get(path);
        if (raw == null) {
            return "";
        }
        Set<String> names = new TreeSet<>();
        References.scan(raw, names);
        return " (written '" + raw + "', substituting " + String.join(", ", names) + ")";
    }

    /** Reports the first cycle found, once, naming the steps on it in the order they wait. */
    private static void reportCycle(List<Step> steps, Map<Integer, Step> byIndex, List<List<Integer>> waits,
                                    Problems problems) {
        int[] state = new int[waits.size()];
        for (Step s : steps) {
            List<Integer> cycle = findCycle(s.index(), waits, state, new ArrayList<>());
            if (cycle != null) {
                List<String> names = cycle.stream().map(i -> "'" + byIndex.get(i).displayId() + "'").toList();
                problems.error(byIndex.get(cycle.get(0)).mark(), "waitFor forms a cycle: " + String.join(" -> ", names));
                return;
            }
        }
    }

    /** Depth-first search; {@code state} is 0 for unseen, 1 on the current path, 2 for done (no cycle through it). */
    private static List<Integer> findCycle(int node, List<List<Integer>> waits, int[] state, List<Integer> stack) {
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
        for (int d : waits.get(node)) {
            List<Integer> c = findCycle(d, waits, state, stack);
            if (c != null) {
                return c;
            }
        }
        stack.remove(stack.size() - 1);
        state[node] = 2;
        return null;
    }
}
