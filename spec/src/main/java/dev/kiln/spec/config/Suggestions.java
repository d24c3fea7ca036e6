package dev.kiln.spec.config;

import java.util.Locale;

/** Works out the "did you mean" for a misspelt field name or step id. */
final class Suggestions {
    /** Longest word for which a suggestion is worked out: the cost grows with its square. */
    static final int MAX_WORD = 64;

    private Suggestions() {}

    /** {@code "; did you mean 'x'?"} for the candidate closest to {@code word}, or empty when none is close. */
    static String didYouMean(String word, Iterable<String> candidates) {
        if (word.length() > MAX_WORD) {
            return "";
        }
        int limit = Math.max(1, word.length() / 3);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        String w = word.toLowerCase(Locale.ROOT);
        for (String c : candidates) {
            // The distance is at least the difference in length: skip the hopeless (and long) ones.
            if (Math.abs(c.length() - word.length()) > limit) {
                continue;
            }
            int d = distance(w, c.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        // A suggestion must keep something of the word: never 'a' for 'c' or 'id' for '<<'.
        return best != null && bestDistance <= limit && bestDistance < word.length()
                ? "; did you mean '" + best + "'?" : "";
    }

    /** Edits (insert, delete, replace, swap two neighbours) that turn {@code a} into {@code b}. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
