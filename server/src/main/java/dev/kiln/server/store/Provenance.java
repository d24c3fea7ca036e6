package dev.kiln.server.store;

import java.util.Locale;
import java.util.Map;

/**
 * Where a build came from: for a build from git, the repo, the full ref name, the exact commit,
 * its author and message, the trigger and what started it; for a plain submit, only the cause.
 * {@code refUpdateId} names the recorded ref update it was built for (null for a manual run or a
 * submit), so that a ref update processed again after a crash builds each trigger once.
 * {@code facts}: built-ins only the trigger knows (a pull request's {@code _HEAD_BRANCH},
 * {@code _BASE_BRANCH}, {@code _HEAD_REPO_URL}, {@code _PR_NUMBER}), kept so a retry has them too.
 */
public record Provenance(String repo, String ref, String commitSha, String author, String message, String trigger,
                         Cause cause, Long refUpdateId, Map<String, String> facts) {

    public Provenance {
        facts = facts == null ? Map.of() : Map.copyOf(facts);
    }

    /** Without trigger-only built-ins: every build but a pull request's. */
    public Provenance(String repo, String ref, String commitSha, String author, String message, String trigger,
                      Cause cause, Long refUpdateId) {
        this(repo, ref, commitSha, author, message, trigger, cause, refUpdateId, Map.of());
    }

    /** What started a build: Cloud Build's trigger event kinds, a plain submit, and an approved promotion's move. */
    public enum Cause {
        PUSH, WEBHOOK, POLL, PULL_REQUEST, SCHEDULE, MANUAL, SUBMIT, PROMOTION;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Cause ofWire(String s) {
            return valueOf(s.toUpperCase(Locale.ROOT));
        }
    }

    public static final Provenance SUBMIT = new Provenance(null, null, null, null, null, null, Cause.SUBMIT, null);

    /** The branch name of {@code refs/heads/B}, else empty. */
    public String branch() {
        return ref != null && ref.startsWith("refs/heads/") ? ref.substring(11) : "";
    }

    /** The tag name of {@code refs/tags/T}, else empty. */
    public String tag() {
        return ref != null && ref.startsWith("refs/tags/") ? ref.substring(10) : "";
    }

    /** Whether a trigger started it (by a push, a poll, by hand...): then dynamic substitutions are on. */
    public boolean triggered() {
        return trigger != null;
    }
}
