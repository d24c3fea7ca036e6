package dev.kiln.webui.view;

import java.util.List;

/**
 * One repo's page: the repo, its triggers and their Run forms. {@code buttons}: whether the person
 * looking may run its triggers (none: the page offers sign-in instead of Run).
 */
public record RepoPage(RepoCard repo, List<TriggerCard> triggers, Buttons buttons) {}
