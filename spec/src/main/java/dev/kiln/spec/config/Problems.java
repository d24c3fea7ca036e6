package dev.kiln.spec.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Collects the errors and warnings found in one config, bounded so that a hostile file cannot
 * flood memory; shared by the parser and the planner so both report the same way. The same
 * message at the same place is kept once: an alias read twice, or a name used twice in one
 * value, is still one mistake.
 */
public final class Problems {
    /** After this many errors the rest are counted, not listed. */
    static final int MAX_PROBLEMS = 100;
    /** Longest message kept; user text in messages (ids, keys) may be arbitrarily long. */
    static final int MAX_MESSAGE = 500;

    private final String file;
    private final List<ConfigProblem> errors = new ArrayList<>();
    private final List<ConfigProblem> warnings = new ArrayList<>();
    private final Set<ConfigProblem> seenErrors = new HashSet<>();
    private final Set<ConfigProblem> seenWarnings = new HashSet<>();
    private int dropped;

    public Problems(String file) {
        this.file = file;
    }

    /** Records an error; a null mark stands for the top of the file. */
    public void error(SourceMark mark, String message) {
        ConfigProblem p = new ConfigProblem(mark != null ? mark : top(), clip(message));
        if (!seenErrors.contains(p) && !full()) {
            seenErrors.add(p);
            errors.add(p);
        }
    }

    void warn(SourceMark mark, String message) {
        ConfigProblem p = new ConfigProblem(mark, clip(message));
        if (seenWarnings.add(p)) {
            warnings.add(p);
        }
    }

    /**
     * True (and the problem counted) when no more errors are listed: callers ask first to skip
     * costly work, such as a did-you-mean, for a problem no one will see.
     */
    public boolean full() {
        if (errors.size() >= MAX_PROBLEMS) {
            dropped++;
            return true;
        }
        return false;
    }

    List<ConfigProblem> warnings() {
        return List.copyOf(warnings);
    }

    /** Throws every error, in file order, when there is any. */
    public void throwIfAny() throws ConfigException {
        if (errors.isEmpty()) {
            return;
        }
        List<ConfigProblem> sorted = new ArrayList<>(errors);
        sorted.sort(Comparator.comparingInt((ConfigProblem p) -> p.mark().line())
                .thenComparingInt(p -> p.mark().column()));
        if (dropped > 0) {
            sorted.add(new ConfigProblem(top(), "... and " + dropped + " more problems not listed"));
        }
        throw new ConfigException(sorted);
    }

    /** Where problems about the whole config (or values given with the build) are shown. */
    public SourceMark top() {
        return new SourceMark(file, 1, 1);
    }

    private static String clip(String message) {
        return message.length() <= MAX_MESSAGE ? message : message.substring(0, MAX_MESSAGE) + "...";
    }
}
