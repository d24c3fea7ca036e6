package dev.kiln.agent.cli;

import dev.kiln.spec.config.BuildSpec;
import dev.kiln.spec.config.ConfigException;
import dev.kiln.spec.config.ConfigProblem;
import dev.kiln.spec.config.Step;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kiln validate [FILE|DIR]}: checks a config without running it. */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Check a build config without running it. Exit 0 and print the step graph, or exit 2 and print every error.")
public final class ValidateCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", defaultValue = ".", description = "A config file, or a directory holding one.")
    Path target;
    @Option(names = "--config", paramLabel = "FILE",
            description = "Config file relative to DIR (default: the first of " + ConfigFiles.DEFAULT_NAMES + ").")
    String config;

    @Override
    public Integer call() throws Exception {
        Path dir;
        Path file;
        try {
            if (Files.isDirectory(target)) {
                dir = target;
                file = ConfigFiles.find(target, config);
            } else if (config != null) {
                System.err.println("ERROR: --config names a file inside a directory; give validate the directory "
                        + "(kiln validate DIR --config " + config + "), or the file alone");
                return 2;
            } else {
                file = target;
                dir = target.toAbsolutePath().getParent();
                file = file.toAbsolutePath();
                if (!Files.isRegularFile(file)) {
                    throw new NoSuchFileException(target + " (no such file)");
                }
            }
        } catch (NoSuchFileException e) {
            System.err.println("ERROR: " + e.getMessage());
            return 2;
        }
        BuildSpec spec;
        try {
            spec = ConfigFiles.check(dir, file, Map.of());
        } catch (ConfigException e) {
            for (ConfigProblem p : e.problems()) {
                System.err.println(p);
            }
            System.err.println(e.problems().size() + " error(s); nothing would run.");
            return 2;
        }
        for (ConfigProblem w : spec.warnings()) {
            System.err.println("warning: " + w);
        }
        System.out.println(spec.file() + ": OK, " + spec.steps().size() + " step(s)");
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
            System.out.printf("  #%-3d %-24s after: %-30s %s%s%n", s.index(), s.displayId(),
                    after.isEmpty() ? "(start)" : String.join(", ", after), what,
                    s.allowFailure() ? "  [allowFailure]" : "");
        }
        return 0;
    }

    private static List<String> prepend(String first, List<String> rest) {
        List<String> l = new ArrayList<>();
        l.add(first);
        l.addAll(rest);
        return l;
    }
}
