package dev.kiln.server.triggers;

import dev.kiln.server.git.Names;
import dev.kiln.server.git.Refusal;
import dev.kiln.server.git.Repos;
import dev.kiln.server.store.Database;
import dev.kiln.spec.api.TriggerView;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Use cases on triggers: create one (every part checked first: a regex that does not compile, a
 * glob, a substitution key, a config path that leaves the repo are refused with the reason),
 * list, describe, delete, enable and disable. Which refs a trigger builds is {@link #matches}.
 */
public final class Triggers {
    /** Java accepts these, RE2 (Cloud Build's regex engine) does not: refused, so a trigger means the same on both. */
    private static final Pattern NOT_RE2 = Pattern.compile("\\\\[1-9]|\\(\\?<?[=!]|\\(\\?>|[*+?}][+]");
    private static final Pattern USER_KEY = Pattern.compile("_[A-Z0-9_]+");

    private final TriggerStore store;
    private final Repos repos;
    private final Clock clock;

    public Triggers(Database db, Repos repos, Clock clock) {
        this.store = new TriggerStore(db);
        this.repos = repos;
        this.clock = clock;
    }

    public Trigger create(TriggerView req) {
        String name = Names.check("trigger", req.name());
        if (req.repo() == null || req.repo().isBlank()) {
            throw Refusal.badRequest("a trigger needs a repo");
        }
        repos.get(req.repo());
        boolean branch = req.branch() != null && !req.branch().isEmpty();
        boolean tag = req.tag() != null && !req.tag().isEmpty();
        if (branch == tag) {
            throw Refusal.badRequest("a trigger needs a branch regex or a tag regex (exactly one)");
        }
        regex(branch ? "branch" : "tag", branch ? req.branch() : req.tag());
        if (req.pullRequest() && !branch) {
            throw Refusal.badRequest("a pull-request trigger needs a branch regex (the base branch), not a tag regex");
        }
        if (req.commentControl() && !req.pullRequest()) {
            throw Refusal.badRequest("commentControl is for pull-request triggers: set pullRequest too");
        }
        List<String> included = globs("includedFiles", req.includedFiles());
        List<String> ignored = globs("ignoredFiles", req.ignoredFiles());
        Map<String, String> subs = new LinkedHashMap<>(req.substitutions() == null ? Map.of() : req.substitutions());
        for (String key : subs.keySet()) {
            if (!USER_KEY.matcher(key).matches()) {
                throw Refusal.badRequest("substitution '" + key + "' must start with '_' and use only A-Z, 0-9 and '_'");
            }
        }
        String config = req.config() == null || req.config().isBlank() ? null : configPath(req.config());
        Trigger t = new Trigger(name, req.repo(), branch ? req.branch() : null, tag ? req.tag() : null, req.invertRegex(),
                config, included, ignored, subs, true, clock.millis(), req.pullRequest(), req.commentControl());
        if (!store.insert(t)) {
            throw Refusal.conflict("trigger " + name + " exists already");
        }
        return t;
    }

    /** Whether a push to {@code ref} (a full name) is one {@code t} builds, by its regex alone. */
    public static boolean matches(Trigger t, String ref) {
        if (t.pullRequest()) {
            return false;   // it builds pull requests, never a push to the base branch itself
        }
        return regexMatches(t, ref);
    }

    /** Whether {@code t} builds a pull request into {@code baseBranch} (a short name), by its regex alone. */
    public static boolean matchesPullRequest(Trigger t, String baseBranch) {
        return t.pullRequest() && regexMatches(t, "refs/heads/" + baseBranch);
    }

    private static boolean regexMatches(Trigger t, String ref) {
        String name;
        String regex;
        if (ref.startsWith("refs/heads/") && t.branchRegex() != null) {
            name = ref.substring("refs/heads/".length());
            regex = t.branchRegex();
        } else if (ref.startsWith("refs/tags/") && t.tagRegex() != null) {
            name = ref.substring("refs/tags/".length());
            regex = t.tagRegex();
        } else {
            return false;
        }
        // As RE2's MatchString: found anywhere in the name unless the regex anchors it.
        return Pattern.compile(regex).matcher(name).find() != t.invert();
    }

    private static void regex(String what, String regex) {
        try {
            Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw Refusal.badRequest(what + " regex '" + regex + "' does not compile: " + e.getDescription()
                    + (e.getIndex() >= 0 ? " at index " + e.getIndex() : ""));
        }
        if (NOT_RE2.matcher(regex).find()) {
            throw Refusal.badRequest(what + " regex '" + regex + "' uses a back-reference, a look-around or a possessive"
                    + " quantifier, which RE2 (the syntax triggers use) does not have");
        }
    }

    private static List<String> globs(String what, List<String> globs) {
        if (globs == null) {
            return List.of();
        }
        for (String g : globs) {
            try {
                FileGlobs.compile(g);
            } catch (IllegalArgumentException e) {
                throw Refusal.badRequest(what + ": glob '" + g + "' is not valid: " + e.getMessage());
            }
        }
        return List.copyOf(globs);
    }

    private static String configPath(String path) {
        Path p = Path.of(path).normalize();
        if (p.isAbsolute() || p.startsWith("..") || p.toString().isEmpty()) {
            throw Refusal.badRequest("config '" + path + "' must be a path inside the repo");
        }
        return p.toString();
    }

    public Trigger get(String name) {
        return store.get(name).orElseThrow(() -> Refusal.notFound("no trigger " + name));
    }

    public List<Trigger> list(String repo) {
        return store.list(repo);
    }

    public void delete(String name) {
        if (!store.delete(name)) {
            throw Refusal.notFound("no trigger " + name);
        }
    }

    public Trigger setEnabled(String name, boolean enabled) {
        if (!store.setEnabled(name, enabled)) {
            throw Refusal.notFound("no trigger " + name);
        }
        return get(name);
    }
}
