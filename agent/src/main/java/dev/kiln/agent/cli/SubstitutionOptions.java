package dev.kiln.agent.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** {@code --substitutions _K=V,...}, read the same way by {@code submit} and {@code validate}. */
public final class SubstitutionOptions {
    @Option(names = "--substitutions", split = ",", paramLabel = "_KEY=VALUE",
            description = "User substitutions, e.g. _K=V,_K2=V2.")
    List<String> substitutions = List.of();

    /** True when any value was given. */
    boolean given() {
        return !substitutions.isEmpty();
    }

    /** The values in the order given; an entry without '=' is an {@link IllegalArgumentException} naming it. */
    Map<String, String> values() {
        Map<String, String> subs = new LinkedHashMap<>();
        for (String kv : substitutions) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--substitutions: '" + kv + "' must have the form _KEY=VALUE");
            }
            subs.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return subs;
    }
}
