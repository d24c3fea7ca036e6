package dev.kiln.agent.archive;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jgit.ignore.FastIgnoreRule;

/**
 * Decides which files {@code kiln submit} leaves out, from {@code .gitignore} files (at every
 * level), and {@code .kilnignore} / {@code .gcloudignore} at the top. Last matching rule wins,
 * deeper files after shallower ones, as git does. A {@code .git} at any level is always left out
 * (git never tracks one either: below the top it is a nested repository or a submodule's link).
 */
final class IgnoreRules {
    static final List<String> TOP_FILES = List.of(".gitignore", ".gcloudignore", ".kilnignore");

    private record Scoped(String base, List<FastIgnoreRule> rules) {}

    private final List<Scoped> scopes;

    private IgnoreRules(List<Scoped> scopes) {
        this.scopes = scopes;
    }

    static IgnoreRules top(Path root) throws IOException {
        List<FastIgnoreRule> rules = new ArrayList<>();
        for (String name : TOP_FILES) {
            rules.addAll(read(root.resolve(name)));
        }
        return new IgnoreRules(List.of(new Scoped("", rules)));
    }

    /** The rules for a sub directory: these plus its own {@code .gitignore}. */
    IgnoreRules enter(Path dir, String relative) throws IOException {
        List<FastIgnoreRule> own = read(dir.resolve(".gitignore"));
        if (own.isEmpty()) {
            return this;
        }
        List<Scoped> next = new ArrayList<>(scopes);
        next.add(new Scoped(relative + "/", own));
        return new IgnoreRules(next);
    }

    /** {@code relative} uses '/' and has no leading slash. */
    boolean ignored(String relative, boolean directory) {
        if (relative.equals(".git") || relative.startsWith(".git/") || relative.endsWith("/.git")
                || relative.contains("/.git/")) {
            return true;
        }
        Boolean result = null;
        for (Scoped s : scopes) {
            if (!relative.startsWith(s.base())) {
                continue;
            }
            String path = relative.substring(s.base().length());
            for (FastIgnoreRule r : s.rules()) {
                if (r.isMatch(path, directory)) {
                    result = r.getResult();
                }
            }
        }
        return result != null && result;
    }

    private static List<FastIgnoreRule> read(Path file) throws IOException {
        List<FastIgnoreRule> rules = new ArrayList<>();
        if (!Files.isRegularFile(file)) {
            return rules;
        }
        for (String line : Files.readAllLines(file)) {
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            rules.add(new FastIgnoreRule(t));
        }
        return rules;
    }
}
