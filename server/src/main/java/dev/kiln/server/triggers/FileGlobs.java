package dev.kiln.server.triggers;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Cloud Build's {@code includedFiles} / {@code ignoredFiles}: globs on the paths a push changed
 * ({@code *} and {@code ?} within one directory, {@code **} across directories, {@code [abc]}
 * classes). A change builds when at least one changed file is not ignored and, if there are
 * included globs, matches one of them: ignored wins over included.
 */
final class FileGlobs {
    private final List<Pattern> included;
    private final List<Pattern> ignored;

    FileGlobs(List<String> included, List<String> ignored) {
        this.included = included.stream().map(FileGlobs::compile).toList();
        this.ignored = ignored.stream().map(FileGlobs::compile).toList();
    }

    /** Whether any filter is set: without one, every push builds and no diff is needed. */
    boolean filters() {
        return !included.isEmpty() || !ignored.isEmpty();
    }

    /** Whether a push that changed {@code files} builds. */
    boolean builds(List<String> files) {
        for (String f : files) {
            if (ignored.stream().anyMatch(p -> p.matcher(f).matches())) {
                continue;
            }
            if (included.isEmpty() || included.stream().anyMatch(p -> p.matcher(f).matches())) {
                return true;
            }
        }
        return false;
    }

    /** The glob as a regex over a whole path; throws IllegalArgumentException with the reason if it is malformed. */
    static Pattern compile(String glob) {
        if (glob.isBlank()) {
            throw new IllegalArgumentException("an empty glob matches nothing");
        }
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                boolean slashAfter = i + 2 < glob.length() && glob.charAt(i + 2) == '/';
                boolean atStart = i == 0 || glob.charAt(i - 1) == '/';
                if (slashAfter && atStart) {
                    re.append("(?:.*/)?");   // "**/" is zero or more whole directories
                    i += 2;
                } else {
                    re.append(".*");
                    i += 1;
                }
            } else if (c == '*') {
                re.append("[^/]*");
            } else if (c == '?') {
                re.append("[^/]");
            } else if (c == '[') {
                int end = glob.indexOf(']', i + 2);
                if (end < 0) {
                    throw new IllegalArgumentException("'[' without a closing ']'");
                }
                String body = glob.substring(i + 1, end);
                boolean negated = body.startsWith("!") || body.startsWith("^");
                String chars = (negated ? body.substring(1) : body).replace("\\", "\\\\").replace("[", "\\[")
                        .replace("&", "\\&");
                re.append(negated ? "[^/" : "[").append(chars).append(']');
                i = end;
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString());
    }
}
