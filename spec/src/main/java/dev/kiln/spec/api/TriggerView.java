package dev.kiln.spec.api;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A trigger, as {@code POST /api/triggers} takes it and the API shows it: builds of {@code repo}
 * when a branch matching {@code branch} (or a tag matching {@code tag}; exactly one of the two, a
 * regular expression found anywhere in the name unless anchored) moves, or, with {@code invertRegex},
 * one that does not match. {@code config}: the build config's path (null: the first of build.yaml,
 * cloudbuild.yaml... as a submit looks). {@code includedFiles} / {@code ignoredFiles}: globs on the
 * files a push changed, as Cloud Build has them. {@code enabled} and {@code createTime} are the
 * server's (ignored in a request; a new trigger is enabled). {@code pullRequest}: the trigger builds
 * pull requests (from webhooks) whose base branch matches {@code branch}, not pushes;
 * {@code commentControl}: a pull request from someone who is not a collaborator waits until a
 * collaborator comments {@code /kiln run}. {@code approvalRequired}: its builds wait in
 * {@code PENDING} until approved or rejected. {@code schedule}: a UNIX cron expression (5 fields,
 * UTC); at each tick the head of {@code scheduleBranch} is built, even with no new commit (null: the
 * branch a literal {@code ^name$} branch regex names). {@code collaborators}: with comment control,
 * the user names that count as collaborators on every forge, instead of the forge's word (empty: the
 * forge's word, GitHub's {@code author_association}).
 */
public record TriggerView(String name, String repo, String branch, String tag, boolean invertRegex, String config,
                          List<String> includedFiles, List<String> ignoredFiles, Map<String, String> substitutions,
                          boolean enabled, Instant createTime, boolean pullRequest, boolean commentControl,
                          boolean approvalRequired, String schedule, String scheduleBranch, List<String> collaborators) {

    public TriggerView {
        collaborators = collaborators == null ? List.of() : List.copyOf(collaborators);
    }

    /** A trigger without a list of collaborators. */
    public TriggerView(String name, String repo, String branch, String tag, boolean invertRegex, String config,
                       List<String> includedFiles, List<String> ignoredFiles, Map<String, String> substitutions,
                       boolean enabled, Instant createTime, boolean pullRequest, boolean commentControl,
                       boolean approvalRequired, String schedule, String scheduleBranch) {
        this(name, repo, branch, tag, invertRegex, config, includedFiles, ignoredFiles, substitutions, enabled,
                createTime, pullRequest, commentControl, approvalRequired, schedule, scheduleBranch, List.of());
    }

    /** A trigger of pushes, without approval or schedule. */
    public TriggerView(String name, String repo, String branch, String tag, boolean invertRegex, String config,
                       List<String> includedFiles, List<String> ignoredFiles, Map<String, String> substitutions,
                       boolean enabled, Instant createTime) {
        this(name, repo, branch, tag, invertRegex, config, includedFiles, ignoredFiles, substitutions, enabled,
                createTime, false, false, false, null, null, List.of());
    }
}
