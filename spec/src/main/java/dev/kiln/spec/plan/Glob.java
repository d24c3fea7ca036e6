package dev.kiln.spec.plan;

import java.util.regex.Pattern;

/**
 * Shell pattern matching for the operations of {@link Expansion}: {@code *}, {@code ?},
 * {@code [abc]} / {@code [!abc]}, and {@code \} to take the next character as it is. A pattern
 * without any of these is matched as plain text. Matching a wildcard pattern against every
 * substring costs time by the square of a value's length, so it is refused on long values.
 */
final class Glob {
    /** Longest value a wildcard pattern is matched against. */
    static final int MAX_WILDCARD_VALUE = 10_000;

    /** Where {@code ${V/p/r}} replaces: the first match, every match, or a match at the start or end only. */
    enum Anchor { FIRST, ALL, START, END }

    /** A wildcard pattern given a value too long to match it against. */
    static final class TooLongException extends RuntimeException {
        TooLongException() {
            super("a pattern with * ? or [ works on values of up to " + MAX_WILDCARD_VALUE + " characters");
        }
    }

    private Glob() {}

    /** {@code ${V#p}} (shortest) and {@code ${V##p}} (longest). */
    static String trimPrefix(String v, String pattern, boolean longest) {
        Matcher m = matcher(v, pattern);
        if (longest) {
            for (int k = v.length(); k >= 0; k--) {
                if (m.matches(0, k)) {
                    return v.substring(k);
                }
            }
        } else {
            for (int k = 0; k <= v.length(); k++) {
                if (m.matches(0, k)) {
                    return v.substring(k);
                }
            }
        }
        return v;
    }

    /** {@code ${V%p}} (shortest) and {@code ${V%%p}} (longest). */
    static String trimSuffix(String v, String pattern, boolean longest) {
        Matcher m = matcher(v, pattern);
        if (longest) {
            for (int k = 0; k <= v.length(); k++) {
                if (m.matches(k, v.length())) {
                    return v.substring(0, k);
                }
            }
        } else {
            for (int k = v.length(); k >= 0; k--) {
                if (m.matches(k, v.length())) {
                    return v.substring(0, k);
                }
            }
        }
        return v;
    }

    /** {@code ${V/p/r}} and its forms: the longest match at each place, as bash takes it. */
    static String replace(String v, String pattern, String replacement, Anchor anchor) {
        if (pattern.isEmpty()) {
            return v;
        }
        Matcher m = matcher(v, pattern);
        switch (anchor) {
            case START:
                for (int k = v.length(); k >= 0; k--) {
                    if (m.matches(0, k)) {
                        return replacement + v.substring(k);
                    }
                }
                return v;
            case END:
                for (int k = 0; k <= v.length(); k++) {
                    if (m.matches(k, v.length())) {
                        return v.substring(0, k) + replacement;
                    }
                }
                return v;
            default:
                StringBuilder out = new StringBuilder();
                int i = 0;
                boolean replaced = false;
                while (i <= v.length()) {
                    int end = replaced && anchor == Anchor.FIRST ? -1 : longestMatchAt(m, i, v.length());
                    if (end > i) {
                        out.append(replacement);
                        replaced = true;
                        i = end;
                    } else {
                        if (i < v.length()) {
                            out.append(v.charAt(i));
                        }
                        i++;
                    }
                }
                return out.toString();
        }
    }

    private static int longestMatchAt(Matcher m, int start, int length) {
        if (m.literal() != null) {
            return m.matches(start, Math.min(length, start + m.literal().length())) ? start + m.literal().length() : -1;
        }
        for (int end = length; end > start; end--) {
            if (m.matches(start, end)) {
                return end;
            }
        }
        return -1;
    }

    /** Matches one pattern against slices of one value: plain text directly, wildcards by regex. */
    private record Matcher(String value, String literal, Pattern regex) {
        boolean matches(int from, int to) {
            if (literal != null) {
                return to - from == literal.length() && value.startsWith(literal, from);
            }
            return regex.matcher(value).region(from, to).matches();
        }
    }

    private static Matcher matcher(String v, String pattern) {
        if (pattern.chars().noneMatch(c -> c == '*' || c == '?' || c == '[' || c == '\\')) {
            return new Matcher(v, pattern, null);
        }
        if (v.length() > MAX_WILDCARD_VALUE) {
            throw new TooLongException();
        }
        return new Matcher(v, null, Pattern.compile(toRegex(pattern), Pattern.DOTALL));
    }

    static String toRegex(String glob) {
        StringBuilder r = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            switch (c) {
                case '*' -> r.append(".*");
                case '?' -> r.append('.');
                case '\\' -> {
                    if (i + 1 < glob.length()) {
                        r.append(Pattern.quote(String.valueOf(glob.charAt(++i))));
                    } else {
                        r.append("\\\\");
                    }
                }
                case '[' -> {
                    int close = glob.indexOf(']', i + 2);
                    if (close < 0) {
                        r.append("\\[");
                    } else {
                        String set = glob.substring(i + 1, close);
                        boolean negate = set.startsWith("!") || set.startsWith("^");
                        if (negate) {
                            set = set.substring(1);
                        }
                        r.append('[').append(negate ? "^" : "").append(set.replace("\\", "\\\\").replace("[", "\\[")
                                .replace("&&", "\\&\\&")).append(']');
                        i = close;
                    }
                }
                default -> r.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return r.toString();
    }
}
