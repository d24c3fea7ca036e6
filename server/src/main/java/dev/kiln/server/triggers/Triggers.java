package dev.kiln.server.triggers;

import dev.kiln.server.git.Names;
import dev.kiln.server.git.Refusal;
import dev.kiln.server.git.Repos;
import dev.kiln.server.store.Database;
import dev.kiln.server.triggers.schedule.Cron;
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
    private static final Pattern USER_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}");
    /** A branch name without regex characters: what a scheduled run can build. */
    private static final Pattern LITERAL_BRANCH = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_/-]*");
    /** {@code ^name$} with nothing a regex would read specially but an escaped dot. */
    private static final Pattern ANCHORED_LITERAL = Pattern.compile("\\^((?:[A-Za-z0-9_/-]|\\\\\\.)+)\\$");

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
        String schedule = blank(req.schedule()) ? null : schedule(req.schedule());
        if (schedule != null && req.pullRequest()) {
            throw Refusal.badRequest("a pull-request trigger builds pull requests, not a branch on a schedule:"
                    + " give schedule to a push trigger");
        }
        String scheduleBranch = scheduleBranch(schedule, branch ? req.branch() : null, req.scheduleBranch());
        List<String> collaborators = collaborators(req.collaborators());
        if (!collaborators.isEmpty() && !req.commentControl()) {
            throw Refusal.badRequest("collaborators are for comment control: set commentControl (and pullRequest) too");
        }
        Trigger t = new Trigger(name, req.repo(), branch ? req.branch() : null, tag ? req.tag() : null, req.invertRegex(),
                config, included, ignored, subs, true, clock.millis(), req.pullRequest(), req.commentControl(),
                req.approvalRequired(), schedule, scheduleBranch, collaborators);
        if (!store.insert(t)) {
            throw Refusal.conflict("trigger " + name + " exists already");
        }
        return t;
    }

    /** User names as forges allow them (GitHub, GitLab, Gitea): letters, digits, '-', '_' and '.'. */
    private static List<String> collaborators(List<String> given) {
        if (given == null) {
            return List.of();
        }
        List<String> out = new java.util.ArrayList<>();
        for (String g : given) {
            String name = g == null ? "" : g.strip();
            if (!USER_NAME.matcher(name).matches()) {
                throw Refusal.badRequest("collaborator '" + g + "' is not a user name (letters, digits, '-', '_', '.';"
                        + " 1 to 100 characters)");
            }
            if (out.stream().noneMatch(name::equalsIgnoreCase)) {
                out.add(name);
            }
        }
        return List.copyOf(out);
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static String schedule(String text) {
        try {
            return Cron.parse(text).toString();
        } catch (IllegalArgumentException e) {
            throw Refusal.badRequest("schedule '" + text.strip() + "' is not a UNIX cron expression: " + e.getMessage());
        }
    }

    /**
     * The one branch a scheduled run builds: {@code --schedule-branch} if given, else the name a
     * branch regex of the form {@code ^name$} spells literally. A regex matching many branches
     * (or a tag trigger) cannot say which head to build, so it needs the branch named.
     */
    private static String scheduleBranch(String schedule, String branchRegex, String given) {
        if (schedule == null) {
            if (!blank(given)) {
                throw Refusal.badRequest("scheduleBranch is for a scheduled trigger: give schedule too");
            }
            return null;
        }
        if (!blank(given)) {
            String b = given.strip();
            if (!LITERAL_BRANCH.matcher(b).matches() || b.contains("..")) {
                throw Refusal.badRequest("scheduleBranch '" + given + "' is not a branch name");
            }
            return b;
        }
        if (branchRegex != null) {
            var m = ANCHORED_LITERAL.matcher(branchRegex);
            if (m.matches()) {
                return m.group(1).replace("\\.", ".");
            }
        }
        throw Refusal.badRequest("a scheduled trigger builds the head of one branch: anchor a literal branch name"
                + " (branch '^main$') or name it with scheduleBranch (--schedule-branch main)");
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
