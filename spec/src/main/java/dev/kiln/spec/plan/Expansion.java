package dev.kiln.spec.plan;

import dev.kiln.spec.config.References;
import java.util.Locale;
import java.util.function.Function;

/**
 * Expands one text with Cloud Build's dynamic substitutions: {@code $NAME}, {@code ${NAME}},
 * {@code $$} for a literal dollar, and the bash-style operations Cloud Build evaluates (it runs
 * them with drone/envsubst, so this is that list): {@code ${#V}}, {@code ${V:offset}},
 * {@code ${V:offset:length}}, {@code ${V#p}}, {@code ${V##p}}, {@code ${V%p}}, {@code ${V%%p}},
 * {@code ${V/p/r}}, {@code ${V//p/r}}, {@code ${V/#p/r}}, {@code ${V/%p/r}}, {@code ${V^}},
 * {@code ${V^^}}, {@code ${V,}}, {@code ${V,,}}, {@code ${V-d}}, {@code ${V:-d}}, {@code ${V=d}},
 * {@code ${V:=d}}. Anything else after a name ({@code ${V:+x}}, {@code ${!V}}, {@code ${V@U}})
 * is reported as unsupported, never quietly made empty. Patterns are shell globs
 * ({@link Glob}); words (defaults, patterns, replacements) are expanded too.
 */
final class Expansion {
    /** What an expansion tells its caller. */
    interface Listener {
        void used(String name);

        /** {@code name} has no value and the reference gives no default. */
        void unknown(String name);

        /** {@code expression} cannot be evaluated, for the reason given. */
        void invalid(String expression, String why);
    }

    private final Function<String, String> values;
    private final Listener listener;
    private final long maxLength;

    /** {@code values} gives a name's value, or null when it has none. */
    Expansion(Function<String, String> values, Listener listener, long maxLength) {
        this.values = values;
        this.listener = listener;
        this.maxLength = maxLength;
    }

    /** {@code text} expanded, or null when the result would be longer than the limit. */
    String expand(String text) {
        if (text == null || text.indexOf('$') < 0) {
            return text == null || text.length() <= maxLength ? text : null;
        }
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c != '$' || i == text.length() - 1) {
                out.append(c);
                i++;
                continue;
            }
            char next = text.charAt(i + 1);
            if (next == '$') {
                out.append('$');
                i += 2;
            } else if (next == '{') {
                int close = closingBrace(text, i + 1);
                String value = close < 0 ? null : braced(text.substring(i + 2, close), text.substring(i, close + 1));
                if (value == null) {
                    out.append('$'); // not a reference (${foo}, ${1}, unclosed): left as it is, as without operations
                    i++;
                } else {
                    out.append(value);
                    i = close + 1;
                }
            } else {
                int end = References.nameEnd(text, i + 1);
                if (end == i + 1) {
                    out.append('$');
                    i++;
                } else {
                    out.append(lookup(text.substring(i + 1, end)));
                    i = end;
                }
            }
            if (out.length() > maxLength) {
                return null;
            }
        }
        return out.length() <= maxLength ? out.toString() : null;
    }

    /** Index of the brace closing the one at {@code open}, with nested {@code ${...}}; -1 when none does. */
    static int closingBrace(String text, int open) {
        int depth = 0;
        for (int j = open; j < text.length(); j++) {
            char c = text.charAt(j);
            if (c == '$' && j + 1 < text.length() && (text.charAt(j + 1) == '{' || text.charAt(j + 1) == '$')) {
                depth += text.charAt(j + 1) == '{' ? 1 : 0;
                j++;
            } else if (c == '{' && j == open) {
                depth++;
            } else if (c == '}' && --depth == 0) {
                return j;
            }
        }
        return -1;
    }

    private String lookup(String name) {
        listener.used(name);
        String v = values.apply(name);
        if (v == null) {
            listener.unknown(name);
            return "";
        }
        return v;
    }

    /** The value of {@code ${inner}}, or null when it is not a reference at all. */
    private String braced(String inner, String whole) {
        if (inner.startsWith("#") || inner.startsWith("!")) {
            int end = References.nameEnd(inner, 1);
            if (end == 1) {
                return null;
            }
            if (inner.startsWith("!")) {
                listener.used(inner.substring(1, end));
                return invalid(whole, "indirect references (${!NAME}) are not supported");
            }
            if (end != inner.length()) {
                return invalid(whole, "'#' (length) takes a name only");
            }
            String v = lookup(inner.substring(1));
            return String.valueOf(v.codePointCount(0, v.length()));
        }
        int end = References.nameEnd(inner, 0);
        if (end == 0) {
            return null;
        }
        String name = inner.substring(0, end);
        String op = inner.substring(end);
        if (op.isEmpty()) {
            return lookup(name);
        }
        for (String d : new String[] {":-", ":=", "-", "="}) {
            if (op.startsWith(d)) {
                listener.used(name);
                String v = values.apply(name);
                boolean useDefault = v == null || (d.startsWith(":") && v.isEmpty());
                return useDefault ? word(op.substring(d.length())) : v;
            }
        }
        if (op.startsWith(":+") || op.startsWith("+") || op.startsWith(":?") || op.startsWith("?")) {
            listener.used(name);
            return invalid(whole, "'" + op.substring(0, op.charAt(0) == ':' ? 2 : 1) + "' is not supported");
        }
        String v = lookup(name);
        switch (op) {
            case "^^": return v.toUpperCase(Locale.ROOT);
            case ",,": return v.toLowerCase(Locale.ROOT);
            case "^": return v.isEmpty() ? v : v.substring(0, 1).toUpperCase(Locale.ROOT) + v.substring(1);
            case ",": return v.isEmpty() ? v : v.substring(0, 1).toLowerCase(Locale.ROOT) + v.substring(1);
            default: break;
        }
        try {
            if (op.startsWith(":")) {
                return substring(v, op.substring(1), whole);
            }
            if (op.startsWith("##")) {
                return Glob.trimPrefix(v, word(op.substring(2)), true);
            }
            if (op.startsWith("#")) {
                return Glob.trimPrefix(v, word(op.substring(1)), false);
            }
            if (op.startsWith("%%")) {
                return Glob.trimSuffix(v, word(op.substring(2)), true);
            }
            if (op.startsWith("%")) {
                return Glob.trimSuffix(v, word(op.substring(1)), false);
            }
            if (op.startsWith("/")) {
                return replace(v, op.substring(1));
            }
        } catch (Glob.TooLongException e) {
            return invalid(whole, e.getMessage());
        }
        return invalid(whole, "'" + op + "' is not an operation Kiln supports");
    }

    private String replace(String v, String spec) {
        Glob.Anchor anchor = Glob.Anchor.FIRST;
        if (spec.startsWith("/")) {
            anchor = Glob.Anchor.ALL;
            spec = spec.substring(1);
        } else if (spec.startsWith("#")) {
            anchor = Glob.Anchor.START;
            spec = spec.substring(1);
        } else if (spec.startsWith("%")) {
            anchor = Glob.Anchor.END;
            spec = spec.substring(1);
        }
        int slash = slashOutsideReferences(spec);
        String pattern = word(slash < 0 ? spec : spec.substring(0, slash));
        String replacement = slash < 0 ? "" : word(spec.substring(slash + 1));
        return Glob.replace(v, pattern, replacement, anchor);
    }

    /** {@code ${V:offset}} and {@code ${V:offset:length}}, counted in characters as bash does. */
    private String substring(String v, String args, String whole) {
        String[] parts = args.split(":", -1);
        if (parts.length > 2) {
            return invalid(whole, "a substring takes an offset and a length at most");
        }
        Integer offset = number(parts[0]);
        Integer length = parts.length == 2 ? number(parts[1]) : null;
        if (offset == null || (parts.length == 2 && length == null)) {
            return invalid(whole, "offset and length must be whole numbers (write ${V: -2} or ${V:(-2)} to count from the end)");
        }
        int[] cps = v.codePoints().toArray();
        int start = offset < 0 ? cps.length + offset : offset;
        if (start < 0 || start > cps.length) {
            return "";
        }
        int end = length == null ? cps.length : length < 0 ? cps.length + length : Math.min(cps.length, start + length);
        if (end < start) {
            return invalid(whole, "the length ends before the offset");
        }
        return new String(cps, start, end - start);
    }

    /** A whole number, maybe negative, maybe in parentheses; null when the text is none. */
    private static Integer number(String text) {
        String t = text.strip();
        if (t.startsWith("(") && t.endsWith(")")) {
            t = t.substring(1, t.length() - 1).strip();
        }
        if (t.isEmpty()) {
            return 0; // bash reads ${V:} and ${V::2} with empty as 0
        }
        try {
            return Integer.parseInt(t);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Where the first '/' outside a nested {@code ${...}} is, or -1. */
    private static int slashOutsideReferences(String spec) {
        for (int j = 0; j < spec.length(); j++) {
            char c = spec.charAt(j);
            if (c == '\\') {
                j++;
            } else if (c == '$' && j + 1 < spec.length() && spec.charAt(j + 1) == '{') {
                int close = closingBrace(spec, j + 1);
                if (close < 0) {
                    return -1;
                }
                j = close;
            } else if (c == '/') {
                return j;
            }
        }
        return -1;
    }

    private String word(String w) {
        String out = expand(w);
        return out == null ? "" : out;
    }

    private String invalid(String expression, String why) {
        listener.invalid(expression, why);
        return "";
    }
}
