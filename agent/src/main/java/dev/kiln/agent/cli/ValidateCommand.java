package dev.kiln.agent.cli;

import dev.kiln.spec.config.BuildSpec;
import dev.kiln.spec.config.ConfigProblem;
import dev.kiln.spec.config.Step;
import dev.kiln.spec.json.Json;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kiln validate [FILE|DIR]}: checks a config without running it. */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = {"Check a build config without running it. Exit 0 and print the step graph, or exit 2 and print every error.",
                "Without --substitutions, user substitutions a trigger would give are named in one warning, not refused;"
                        + " with it, the config is checked with those values, as submit would.",
                "With --format json: {\"file\", \"ok\", \"steps\", \"needs\", \"problems\": [{file, line, column, severity, message}]}."})
public final class ValidateCommand implements Callable<Integer> {
    /** How validate prints; anything else is refused by picocli (exit 2, naming these). */
    enum Format { text, json }

    /** One problem as editors read it. */
    record JsonProblem(String file, Integer line, Integer column, String severity, String message) {
        static JsonProblem of(ConfigProblem p, String severity) {
            return new JsonProblem(p.mark().file(), p.mark().line(), p.mark().column(), severity, p.message());
        }
    }

    /** The whole report as editors read it. */
    record JsonReport(String file, boolean ok, int steps, List<String> needs, List<JsonProblem> problems) {}

    @Parameters(index = "0", arity = "0..1", defaultValue = ".", description = "A config file, or a directory holding one.")
    Path target;
    @Option(names = "--config", paramLabel = "FILE",
            description = "Config file relative to DIR (default: the first of " + ConfigFiles.DEFAULT_NAMES + ").")
    String config;
    @Mixin
    SubstitutionOptions substitutions = new SubstitutionOptions();
    @Option(names = "--format", defaultValue = "text", description = "${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
    Format format = Format.text;
    PrintStream out = System.out;
    PrintStream err = System.err;

    @Override
    public Integer call() throws Exception {
        Path dir;
        Path file;
        try {
            if (Files.isDirectory(target)) {
                dir = target;
                file = ConfigFiles.find(target, config);
            } else if (config != null) {
                return fail(target.toString(), "--config names a file inside a directory; give validate the directory "
                        + "(kiln validate DIR --config " + config + "), or the file alone");
            } else {
                file = target;
                dir = target.toAbsolutePath().getParent();
                file = file.toAbsolutePath();
                if (!Files.isRegularFile(file)) {
                    throw new NoSuchFileException(target + " (no such file)");
                }
            }
        } catch (NoSuchFileException e) {
            return fail(target.toString(), e.getMessage());
        }
        Map<String, String> values;
        try {
            values = substitutions.values();
        } catch (IllegalArgumentException e) {
            return fail(target.toString(), e.getMessage());
        }
        ConfigFiles.Checked checked = ConfigFiles.check(dir, file, values);
        List<ConfigProblem> errors = new ArrayList<>(checked.errors());
        List<ConfigProblem> warnings = new ArrayList<>(checked.spec() == null ? List.of() : checked.spec().warnings());
        if (!checked.needs().isEmpty()) {
            // Values given: checked as submit would, so what is still missing is an error.
            (substitutions.given() ? errors : warnings).add(0, checked.needsProblem());
        }
        if (format == Format.json) {
            List<JsonProblem> problems = new ArrayList<>();
            errors.forEach(p -> problems.add(JsonProblem.of(p, "error")));
            warnings.forEach(p -> problems.add(JsonProblem.of(p, "warning")));
            out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(new JsonReport(checked.file(),
                    errors.isEmpty(), checked.spec() == null ? 0 : checked.spec().steps().size(), checked.needs(), problems)));
            return errors.isEmpty() ? 0 : 2;
        }
        if (!errors.isEmpty()) {
            for (ConfigProblem p : errors) {
                err.println(p);
            }
            err.println(errors.size() + " error(s); nothing would run.");
            return 2;
        }
        BuildSpec spec = checked.spec();
        for (ConfigProblem w : warnings) {
            err.println("warning: " + w);
        }
        out.println(spec.file() + ": OK, " + spec.steps().size() + " step(s)");
        for (Step s : spec.steps()) {
            List<String> after = new ArrayList<>();
            if (s.waitFor() == null) {
                if (s.index() > 0) {
                    after.add(spec.steps().get(s.index() - 1).displayId() + (s.index() > 1 ? " (and all before)" : ""));
                }
            } else {
                s.waitFor().stream().filter(w -> !w.equals("-")).forEach(after::add);
            }
            String what = s.script() != null ? "script" : String.join(" ", s.entrypoint() != null
                    ? prepend(s.entrypoint(), s.args()) : s.args());
            if (what.length() > 60) {
                what = what.substring(0, 57) + "...";
            }
            out.printf("  #%-3d %-24s after: %-30s %s%s%n", s.index(), s.displayId(),
                    after.isEmpty() ? "(start)" : String.join(", ", after), what,
                    s.allowFailure() ? "  [allowFailure]" : "");
        }
        return 0;
    }

    /** A problem before any config was read: as text, or as JSON for an editor. */
    private int fail(String file, String message) throws Exception {
        if (format == Format.json) {
            out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(new JsonReport(file, false, 0,
                    List.of(), List.of(new JsonProblem(file, null, null, "error", message)))));
        } else {
            err.println("ERROR: " + message);
        }
        return 2;
    }

    private static List<String> prepend(String first, List<String> rest) {
        List<String> l = new ArrayList<>();
        l.add(first);
        l.addAll(rest);
        return l;
    }
}
