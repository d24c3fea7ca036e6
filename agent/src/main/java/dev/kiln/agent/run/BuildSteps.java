package dev.kiln.agent.run;

import dev.kiln.spec.plan.StepPlan;
import java.util.BitSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The steps of one build as one executor sees them: all of them, for their order, and which of them
 * that executor runs ({@code mine}). What an executor may share between its steps depends on which of
 * them can run at the same time.
 */
public record BuildSteps(List<StepPlan> all, Set<Integer> mine) {
    public BuildSteps {
        all = List.copyOf(all);
        mine = Set.copyOf(mine);
    }

    /** Every step, all run by one executor. */
    public static BuildSteps of(List<StepPlan> steps) {
        return new BuildSteps(steps, steps.stream().map(StepPlan::index).collect(java.util.stream.Collectors.toSet()));
    }

    public static BuildSteps none() {
        return new BuildSteps(List.of(), Set.of());
    }

    /**
     * The steps of {@link #mine} that can never run while another of them runs: for every other one,
     * one of the two waits, directly or through other steps, for the other to end.
     */
    public Set<Integer> alone() {
        BitSet[] before = new BitSet[all.size()];
        for (StepPlan s : all) {
            before(s.index(), before);
        }
        Set<Integer> alone = new TreeSet<>();
        for (int a : mine) {
            boolean ordered = true;
            for (int b : mine) {
                if (a != b && !before[a].get(b) && !before[b].get(a)) {
                    ordered = false;
                    break;
                }
            }
            if (ordered) {
                alone.add(a);
            }
        }
        return alone;
    }

    /** The steps that must end before step {@code i} starts, directly or not. */
    private BitSet before(int i, BitSet[] memo) {
        if (memo[i] == null) {
            BitSet b = new BitSet();
            memo[i] = b;   // a plan's waitFor only names earlier steps: no cycle comes back here
            for (int w : all.get(i).waitFor()) {
                b.set(w);
                b.or(before(w, memo));
            }
        }
        return memo[i];
    }
}
