package dev.kiln.spec.config;

import java.util.List;
import java.util.stream.Collectors;

/** A config that must not run: carries every problem found, not only the first. */
public final class ConfigException extends Exception {
    private final transient List<ConfigProblem> problems;
    private final transient List<String> missingSubstitutions;

    public ConfigException(List<ConfigProblem> problems) {
        this(problems, List.of());
    }

    /**
     * {@code missingSubstitutions} names the user substitutions the build needs and was not given
     * (a trigger or {@code --substitutions} would give them), in the order first met; some of the
     * problems are about them.
     */
    public ConfigException(List<ConfigProblem> problems, List<String> missingSubstitutions) {
        super(problems.stream().map(ConfigProblem::toString).collect(Collectors.joining("\n")));
        this.problems = List.copyOf(problems);
        this.missingSubstitutions = List.copyOf(missingSubstitutions);
    }

    public List<String> missingSubstitutions() {
        return missingSubstitutions;
    }

    public List<ConfigProblem> problems() {
        return problems;
    }
}
