package dev.kiln.agent.run;

import dev.kiln.spec.plan.StepPlan;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a process step sees of the agent: an environment built from scratch (never the agent's
 * own, which holds its token and the server's settings) and the user it runs as.
 *
 * @param passEnv names of the agent's variables a step inherits; {@code KILN_*} never pass
 * @param user    who steps run as; empty: the agent's own user
 */
public record StepEnvironment(List<String> passEnv, Optional<BuildUser> user) {
    public static final List<String> DEFAULT_PASS = List.of("PATH", "LANG", "LC_ALL", "TZ");
    private static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    public StepEnvironment {
        passEnv = List.copyOf(passEnv);
    }

    /** Steps run as this process's user with the default allow-list (tests, and agents not run as root). */
    public static StepEnvironment ofThisUser() {
        return new StepEnvironment(DEFAULT_PASS, Optional.empty());
    }

    /**
     * {@code step} with the secrets its {@code secretEnv} lists added to its variables, last (a
     * secret wins over an {@code env} entry of the same name), so process and container steps alike
     * get them in their environment, and nothing else: no file on disk holds them. Steps without
     * {@code secretEnv} get none, whatever the build has. {@code values}: by variable, from the lease.
     */
    public static StepPlan withSecrets(StepPlan step, Map<String, String> values) {
        if (step.secretEnv().isEmpty() || values.isEmpty()) {
            return step;
        }
        List<String> env = new ArrayList<>(step.env());
        for (String name : step.secretEnv()) {
            String v = values.get(name);
            if (v != null) {
                env.add(name + "=" + v);
            }
        }
        return new StepPlan(step.index(), step.id(), step.image(), step.entrypoint(), step.args(), step.script(),
                List.copyOf(env), step.dir(), step.waitFor(), step.timeoutMillis(), step.allowFailure(),
                step.allowExitCodes(), step.secretEnv(), step.volumes());
    }

    /**
     * The variables every step starts from, before the build's own: PATH, the allow-list, and HOME:
     * the build user's, else the agent's own, else {@code buildHome}, a directory of the build's.
     */
    Map<String, String> base(Map<String, String> agentEnv, Path buildHome) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", DEFAULT_PATH);
        for (String name : passEnv) {
            String v = agentEnv.get(name);
            if (v != null && !name.startsWith("KILN_")) {
                env.put(name, v);
            }
        }
        String agentHome = agentEnv.get("HOME");
        env.put("HOME", user.map(u -> u.home().toString())
                .orElse(agentHome != null && !agentHome.isBlank() ? agentHome : buildHome.toString()));
        return env;
    }
}
