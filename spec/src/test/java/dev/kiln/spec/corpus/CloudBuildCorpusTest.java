package dev.kiln.spec.corpus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.kiln.spec.config.BuildSpec;
import dev.kiln.spec.config.ConfigException;
import dev.kiln.spec.config.ConfigParser;
import dev.kiln.spec.config.ConfigProblem;
import dev.kiln.spec.plan.BuildContext;
import dev.kiln.spec.plan.Planner;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real public cloudbuild.yaml files (see the corpus's SOURCES): every one Cloud Build accepts,
 * Kiln accepts, as {@code kiln validate} would (parse and plan, with the substitutions a trigger
 * would give, from a {@code .substitutions} sidecar); every one it refuses, Kiln refuses, with the
 * position and message in the {@code .expected} sidecar. Adding a case means adding files.
 */
class CloudBuildCorpusTest {

    static Stream<String> valid() throws Exception {
        return configs("valid");
    }

    static Stream<String> invalid() throws Exception {
        return configs("invalid");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valid")
    void a_config_cloud_build_accepts_is_accepted(String file) throws Exception {
        assumeFalse(pending("pending-substitutions.txt").contains("valid/" + file), "waits for the substitution classes");
        assumeFalse(pending("pending-bugs.txt").contains("valid/" + file), "waits for a fix: see pending-bugs.txt");

        BuildSpec spec = ConfigParser.parse(file, Files.readAllBytes(corpus().resolve("valid").resolve(file)));
        Planner.plan(spec, BuildContext.submit("local", "kiln", substitutions("valid", file)));

        assertThat(spec.steps()).isNotEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void a_config_cloud_build_refuses_is_refused_with_its_position(String file) throws Exception {
        Path dir = corpus().resolve("invalid");
        byte[] text = Files.readAllBytes(dir.resolve(file));
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> Planner.plan(ConfigParser.parse(file, text),
                BuildContext.submit("local", "kiln", substitutions("invalid", file))));

        assertThat(e).as(file + " must be refused").isNotNull();
        String expected = Files.readString(dir.resolve(stem(file) + ".expected"), StandardCharsets.UTF_8).strip();
        assertThat(e.problems()).extracting(ConfigProblem::toString).containsExactly(expected);
    }

    private static Stream<String> configs(String kind) throws IOException, URISyntaxException {
        try (Stream<Path> files = Files.list(corpus().resolve(kind))) {
            List<String> names = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".yaml") || n.endsWith(".json")).sorted().toList();
            return names.stream();
        }
    }

    private static Map<String, String> substitutions(String kind, String file) throws Exception {
        Path sidecar = corpus().resolve(kind).resolve(stem(file) + ".substitutions");
        Map<String, String> out = new LinkedHashMap<>();
        if (Files.exists(sidecar)) {
            for (String line : Files.readAllLines(sidecar, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    out.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
                }
            }
        }
        return out;
    }

    /**
     * Valid files Kiln still refuses, one a line, skipped until the fix lands: {@code pending-substitutions.txt}
     * for the substitution classes (dynamic substitutions, null values...), {@code pending-bugs.txt} for the rest.
     */
    private static List<String> pending(String list) throws Exception {
        return Files.readAllLines(corpus().resolve(list), StandardCharsets.UTF_8).stream()
                .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    }

    private static String stem(String file) {
        return file.substring(0, file.lastIndexOf('.'));
    }

    private static Path corpus() throws URISyntaxException {
        return Path.of(CloudBuildCorpusTest.class.getResource("/cloudbuild-corpus").toURI());
    }
}
