package dev.kiln.webui.view;

import java.util.List;

/**
 * One repo's page: the repo, its triggers and their Run forms. {@code csrf} is the signed-in
 * browser's form token, empty when not signed in (then the page offers sign-in instead of Run).
 */
public record RepoPage(RepoCard repo, List<TriggerCard> triggers, String csrf) {
    public boolean signedIn() {
        return !csrf.isEmpty();
    }
}
