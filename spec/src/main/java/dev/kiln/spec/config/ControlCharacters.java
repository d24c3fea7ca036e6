package dev.kiln.spec.config;

/**
 * Which control characters (U+0000 to U+001F and U+007F) a piece of config text may hold. YAML
 * lets them in only through escapes such as {@code "\0"}, so one is never there by accident; NUL
 * is refused everywhere because no argument, environment variable or path can carry it.
 */
public enum ControlCharacters {
    /** Ids, names, paths, images, durations, flags: text that names something holds none. */
    NONE,
    /** Args, scripts and substitution values: multi-line shell needs TAB, LF and CR, nothing else. */
    TABS_AND_LINE_BREAKS,
    /** A {@code KEY=VALUE} environment entry: none in the name, TAB, LF and CR in the value. */
    ENV_ENTRY;

    /** Why {@code text} is refused, e.g. {@code contains a control character (U+0000)}; null when it is fine. */
    public String problem(String text) {
        if (this == ENV_ENTRY) {
            int eq = text.indexOf('=');
            String inName = eq < 0 ? NONE.problem(text) : NONE.problem(text.substring(0, eq));
            if (inName != null) {
                return inName + " in the variable name";
            }
            return eq < 0 ? null : TABS_AND_LINE_BREAKS.problem(text.substring(eq + 1));
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (isControl(c) && !(this == TABS_AND_LINE_BREAKS && (c == '\t' || c == '\n' || c == '\r'))) {
                return "contains a control character (" + codePoint(c) + ")";
            }
        }
        return null;
    }

    /** {@code text} with each control character written as its code point, fit to show in a one-line message. */
    static String shown(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            out.append(isControl(c) ? "<" + codePoint(c) + ">" : String.valueOf(c));
        }
        return out.toString();
    }

    private static boolean isControl(char c) {
        return c < 0x20 || c == 0x7F;
    }

    private static String codePoint(char c) {
        return String.format("U+%04X", (int) c);
    }
}
