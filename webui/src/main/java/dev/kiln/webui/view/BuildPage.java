package dev.kiln.webui.view;

import java.util.List;
import java.util.Map;

/**
 * A build's page: its head row, where it came from, its substitutions, its steps and, when it
 * failed, why. {@code csrf} is the signed-in browser's form token, empty when not signed in (then
 * the page offers sign-in instead of its buttons). {@code images}: what the build pushed, with digests.
 */
public record BuildPage(BuildRow build, String statusDetail, String commitSha, String author, String agent,
                        String created, String finished, String retryOf, Map<String, String> substitutions,
                        List<String> labels, List<StepSection> steps, Failure failure, Timeline timeline, String csrf,
                        List<PushedImage> images) {

    /** An image the build pushed: {@code name} with its tag, {@code digest} as the registry gave it. */
    public record PushedImage(String name, String digest) {}

    public boolean signedIn() {
        return !csrf.isEmpty();
    }

    public boolean cancellable() {
        return !Statuses.isFinal(build.status());
    }
}
