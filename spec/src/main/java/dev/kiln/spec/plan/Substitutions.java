package dev.kiln.spec.plan;

import dev.kiln.spec.config.References;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Expands Cloud Build substitutions in one string: {@code $VAR}, {@code ${VAR}}, and {@code $$}
 * for a literal dollar. Names are upper case ({@code [A-Z_][A-Z0-9_]*}); any other {@code $} is left as it is.
 */
public final class Substitutions {
    private static final Pattern REF = Pattern.compile("\\$(\\$|\\{([A-Z_][A-Z0-9_]*)}|([A-Z_][A-Z0-9_]*))");

    private Substitutions() {}

    /**
     * Returns {@code text} with every reference replaced by its value. Each name used is given to
     * {@code used}; a name missing from {@code values} is given to {@code unknown} and becomes empty.
     */
    public static String expand(String text, Map<String, String> values, Consumer<String> used, Consumer<String> unknown) {
        return expand(text, values, used, unknown, Long.MAX_VALUE);
    }

    /**
     * Like {@link #expand(String, Map, Consumer, Consumer)}, but returns null as soon as the result
     * would be longer than {@code maxLength}: a short text naming a long value many times must not
     * be able to exhaust memory.
     */
    public static String expand(String text, Map<String, String> values, Consumer<String> used, Consumer<String> unknown,
                                long maxLength) {
        if (text == null || text.indexOf('$') < 0) {
            return text == null || text.length() <= maxLength ? text : null;
        }
        Matcher m = REF.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        while (m.find()) {
            String replacement;
            if (m.group(1).equals("$")) {
                replacement = "$";
            } else {
                String name = m.group(2) != null ? m.group(2) : m.group(3);
                used.accept(name);
                replacement = values.get(name);
                if (replacement == null) {
                    unknown.accept(name);
                    replacement = "";
                }
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
            if (out.length() > maxLength) {
                return null;
            }
        }
        m.appendTail(out);
        return out.length() <= maxLength ? out.toString() : null;
    }

    /** Names referenced in {@code text} (used to count script references as uses). */
    public static void scan(String text, Set<String> into) {
        References.scan(text, into);
    }
}
