package dev.kiln.spec.plan;

import java.util.List;

/**
 * What an agent runs for one step, with substitutions applied. {@code image} null means a process
 * on the agent. {@code command} is the argv for a process step ({@code entrypoint} + {@code args}),
 * or empty when {@code script} is set. {@code env} holds {@code KEY=VALUE} entries in order.
 * {@code waitFor} holds indexes of steps that must finish first. Times are in milliseconds; 0 means none.
 */
public record StepPlan(
        int index,
        String id,
        String image,
        String entrypoint,
        List<String> args,
        String script,
        List<String> env,
        String dir,
        List<Integer> waitFor,
        long timeoutMillis,
        boolean allowFailure,
        List<Integer> allowExitCodes,
        List<String> secretEnv) {

    public boolean isLocal() {
        return image == null;
    }
}
