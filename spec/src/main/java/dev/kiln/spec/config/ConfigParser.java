package dev.kiln.spec.config;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Turns the text of a {@code build.yaml} / {@code cloudbuild.yaml} (YAML or JSON) into a
 * {@link BuildSpec}, or a {@link ConfigException} listing every problem with file, line and column.
 * Safe against hostile input: size, alias, nesting and node-count limits; no object construction.
 *
 * <p>The work is done in steps, each by its own class: {@link SafeYaml} reads the text into nodes,
 * {@link SchemaMapper} maps them onto records (reading values with {@link NodeReader}), and
 * {@link StepGraph} checks how the steps wait for each other.
 */
public final class ConfigParser {
    /** Config files looked for, in order, when none is named. */
    public static final List<String> DEFAULT_FILES = List.of("build.yaml", "cloudbuild.yaml", "buildspec.yaml",
            "build.json", "cloudbuild.json");
    /** Larger configs are refused before YAML sees them. */
    public static final int MAX_BYTES = SafeYaml.MAX_BYTES;
    static final int MAX_PROBLEMS = Problems.MAX_PROBLEMS;
    static final int MAX_MESSAGE = Problems.MAX_MESSAGE;

    private ConfigParser() {}

    /** Parses and validates; {@code file} is the name used in messages (e.g. {@code build.yaml}). */
    public static BuildSpec parse(String file, byte[] content) throws ConfigException {
        Node root = SafeYaml.compose(file, content);
        if (root == null) {
            throw new ConfigException(List.of(new ConfigProblem(new SourceMark(file, 1, 1),
                    "config is empty; it needs 'steps'")));
        }
        Problems problems = new Problems(file);
        BuildSpec spec = new SchemaMapper(file, problems).map(root);
        StepGraph.resolve(spec.steps(), spec::markOf, problems);
        problems.throwIfAny();
        return spec;
    }

    /** The problem of a config over {@link #MAX_BYTES}, for callers that know its size without reading it all. */
    public static ConfigProblem tooLarge(String file, long size) {
        return SafeYaml.tooLarge(file, size);
    }

    public static BuildSpec parse(String file, String content) throws ConfigException {
        return parse(file, content.getBytes(StandardCharsets.UTF_8));
    }
}
