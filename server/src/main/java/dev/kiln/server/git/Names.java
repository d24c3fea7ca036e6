package dev.kiln.server.git;

import java.util.regex.Pattern;

/**
 * The names of repos and triggers: they become a directory name and a URL path segment, so only
 * letters, digits, '-', '_' and '.', starting with a letter or digit (no '/', no '..', no spaces,
 * nothing hidden), at most 100 characters, and a repo's may not end in ".git".
 */
public final class Names {
    private static final Pattern FORM = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    private Names() {}

    /** {@code name}, or a 400 naming {@code what} and the rule. */
    public static String check(String what, String name) {
        if (name == null || !FORM.matcher(name).matches() || name.contains("..")) {
            throw Refusal.badRequest(what + " name '" + shown(name) + "' is not allowed: use letters, digits, '-', '_'"
                    + " and '.', starting with a letter or digit, at most 100 characters (no '/', '..' or spaces)");
        }
        return name;
    }

    /** A repo's name: as {@link #check}, and not ending in ".git" (its URL adds that). */
    public static String repo(String name) {
        check("repo", name);
        if (name.endsWith(".git")) {
            throw Refusal.badRequest("repo name '" + name + "' is not allowed: it must not end in .git (its URL adds that)");
        }
        return name;
    }

    private static String shown(String s) {
        if (s == null) {
            return "";
        }
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }
}
