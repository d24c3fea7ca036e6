package dev.kiln.agent.cli;

import dev.kiln.spec.config.BuildSpec;
import dev.kiln.spec.config.ConfigException;
import dev.kiln.spec.config.ConfigParser;
import dev.kiln.spec.config.ConfigProblem;
import dev.kiln.spec.config.SourceMark;
import dev.kiln.spec.plan.BuildContext;
import dev.kiln.spec.plan.Planner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Finds and checks a build config on disk, exactly as the server will. */
final class ConfigFiles {
    /** The names looked for when no --config is given, in order: {@link ConfigParser#DEFAULT_FILES} (tested). */
    static final String DEFAULT_NAMES = "build.yaml, cloudbuild.yaml, buildspec.yaml, build.json, cloudbuild.json";

    private ConfigFiles() {}

    /**
     * What checking a config found. {@code spec} is null when it could not be read. {@code needs}
     * names the user substitutions the build was not given (a trigger or {@code --substitutions}
     * would give them); {@code errors} are the other problems, found with a stand-in for each
     * missing value, so that one missing value is not told again at every use.
     */
    record Checked(String file, BuildSpec spec, List<ConfigProblem> errors, List<String> needs) {
        /** The one line that lists what is missing. */
        ConfigProblem needsProblem() {
            return new ConfigProblem(new SourceMark(file, 1, 1), "needs " + String.join(", ", needs)
                    + " from the trigger or --substitutions");
        }
    }

    /** The config in {@code dir}: {@code explicit} (relative to dir) if given, else the first default that exists. */
    static Path find(Path dir, String explicit) throws NoSuchFileException {
        if (explicit != null) {
            Path p = dir.resolve(explicit);
            if (!Files.isRegularFile(p)) {
                throw new NoSuchFileException(p + " (no such config)");
            }
            return p;
        }
        for (String name : ConfigParser.DEFAULT_FILES) {
            if (Files.isRegularFile(dir.resolve(name))) {
                return dir.resolve(name);
            }
        }
        throw new NoSuchFileException(dir + ": none of " + DEFAULT_NAMES + " (name another with --config FILE)");
    }

    /** Parses and plans the config with these substitutions; the name in messages is relative to {@code dir}. */
    static Checked check(Path dir, Path config, Map<String, String> substitutions) throws IOException {
        String name = dir.relativize(config).toString();
        BuildSpec spec;
        try {
            spec = ConfigParser.parse(name, Files.readAllBytes(config));
        } catch (ConfigException e) {
            return new Checked(name, null, e.problems(), List.of());
        }
        try {
            plan(spec, substitutions);
            return new Checked(name, spec, List.of(), List.of());
        } catch (ConfigException e) {
            List<String> needs = e.missingSubstitutions();
            if (needs.isEmpty()) {
                return new Checked(name, spec, e.problems(), List.of());
            }
            Map<String, String> standIns = new LinkedHashMap<>(substitutions);
            for (String n : needs) {
                standIns.put(n, n.substring(1).toLowerCase(Locale.ROOT));
            }
            try {
                plan(spec, standIns);
                return new Checked(name, spec, List.of(), needs);
            } catch (ConfigException again) {
                return new Checked(name, spec, again.problems(), needs);
            }
        }
    }

    private static void plan(BuildSpec spec, Map<String, String> substitutions) throws ConfigException {
        Planner.plan(spec, BuildContext.submit("local", "kiln", substitutions));
    }
}
