package dev.kiln.agent.cli;

import dev.kiln.spec.config.BuildSpec;
import dev.kiln.spec.config.ConfigException;
import dev.kiln.spec.config.ConfigParser;
import dev.kiln.spec.plan.BuildContext;
import dev.kiln.spec.plan.Planner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/** Finds and checks a build config on disk, exactly as the server will. */
final class ConfigFiles {
    /** The names looked for when no --config is given, in order: {@link ConfigParser#DEFAULT_FILES} (tested). */
    static final String DEFAULT_NAMES = "build.yaml, cloudbuild.yaml, buildspec.yaml, build.json, cloudbuild.json";

    private ConfigFiles() {}

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
    static BuildSpec check(Path dir, Path config, Map<String, String> substitutions) throws IOException, ConfigException {
        String name = dir.relativize(config).toString();
        BuildSpec spec = ConfigParser.parse(name, Files.readAllBytes(config));
        Planner.plan(spec, BuildContext.submit("local", "kiln", substitutions));
        return spec;
    }
}
