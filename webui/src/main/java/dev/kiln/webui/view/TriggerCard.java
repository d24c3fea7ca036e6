package dev.kiln.webui.view;

import java.util.List;
import java.util.Map;

/**
 * A trigger as a repo's page shows it, with its Run form.
 *
 * @param on        "branch" or "tag": which refs {@code regex} is matched against
 * @param config    the config path, empty when discovered as a submit does
 * @param schedule  a cron expression, empty when none; {@code scheduleBranch} the branch it builds
 * @param runKind   what the Run form builds by default: "branch", "tag" or "sha"
 * @param runRef    what it fills in: a head the trigger matches, or what was sent when the run was refused
 * @param error     why the last run from this page was refused, empty when it was not
 */
public record TriggerCard(String name, boolean enabled, String on, String regex, boolean invert, String config,
                          List<String> includedFiles, List<String> ignoredFiles, Map<String, String> substitutions,
                          boolean approvalRequired, String schedule, String scheduleBranch, boolean pullRequest,
                          boolean commentControl, String runKind, String runRef, String error) {

    public static final List<String> RUN_KINDS = List.of("branch", "tag", "sha");

    public String buildsHref() {
        return "/?trigger=" + name;
    }

    /** The same trigger with the outcome of a refused run: what was asked, and why not. */
    public TriggerCard refused(String kind, String ref, String why) {
        return new TriggerCard(name, enabled, on, regex, invert, config, includedFiles, ignoredFiles, substitutions,
                approvalRequired, schedule, scheduleBranch, pullRequest, commentControl, kind, ref, why);
    }
}
