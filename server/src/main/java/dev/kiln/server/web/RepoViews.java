package dev.kiln.server.web;

import dev.kiln.server.git.GitHosting;
import dev.kiln.server.git.Refusal;
import dev.kiln.server.git.Repo;
import dev.kiln.server.git.Repos;
import dev.kiln.server.git.poll.Poller;
import dev.kiln.server.http.HookRoutes;
import dev.kiln.server.triggers.Trigger;
import dev.kiln.server.triggers.Triggers;
import dev.kiln.spec.config.Durations;
import dev.kiln.webui.view.RepoCard;
import dev.kiln.webui.view.RepoHead;
import dev.kiln.webui.view.Stamp;
import dev.kiln.webui.view.TriggerCard;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Turns repos, their heads and poll state, and triggers into the repos pages' view records. */
final class RepoViews {
    private final Repos repos;
    private final Triggers triggers;
    private final Poller poller;
    private final String publicUrl;

    /** {@code publicUrl}: the server's --public-url, null when webhook URLs are told as the browser reached the server. */
    RepoViews(Repos repos, Triggers triggers, Poller poller, String publicUrl) {
        this.repos = repos;
        this.triggers = triggers;
        this.poller = poller;
        this.publicUrl = publicUrl == null || publicUrl.isBlank() ? null : publicUrl.replaceAll("/+$", "");
    }

    /** As {@code kiln repos describe} tells it: a hosted repo's URL as the caller reached this server. */
    RepoCard card(Context ctx, Repo r) {
        boolean hosted = r.kind() == Repo.Kind.HOSTED;
        String here = ctx.scheme() + "://" + ctx.host();
        String base = publicUrl != null ? publicUrl : here;
        var poll = poller.state(r.name());
        String forge = r.forge() == null ? "" : r.forge().kind() + " " + PageViews.text(r.forge().project());
        return new RepoCard(r.name(), hosted, hosted ? here + GitHosting.PATH + r.name() + ".git" : PageViews.text(r.url()),
                hosted ? "" : base + HookRoutes.PATH + r.name(), hasSecret(r.name()), heads(r.name()),
                r.pollInterval() == null ? "" : Durations.format(r.pollInterval()), PageViews.stamp(r.lastPollTime()),
                PageViews.text(r.lastPollError()), PageViews.stamp(r.lastSuccessTime()),
                hosted ? Stamp.NONE : poll.map(s -> PageViews.stamp(s.nextDue())).orElse(Stamp.NONE),
                poll.map(Poller.State::failures).orElse(0), forge.strip(), PageViews.text(r.lastStatusError()),
                triggers.list(r.name()).size());
    }

    List<TriggerCard> triggers(RepoCard repo) {
        List<TriggerCard> cards = new ArrayList<>();
        for (Trigger t : triggers.list(repo.name())) {
            cards.add(card(t, repo.heads()));
        }
        return cards;
    }

    /** The trigger, its Run form filled in with the head it would build: its scheduled branch, else the first it matches. */
    static TriggerCard card(Trigger t, List<RepoHead> heads) {
        boolean tag = t.tagRegex() != null;
        String ref = t.scheduleBranch() != null ? t.scheduleBranch() : heads.stream().filter(h -> h.tag() == tag)
                .filter(h -> t.pullRequest() ? Triggers.matchesPullRequest(t, h.name())
                        : Triggers.matches(t, (tag ? "refs/tags/" : "refs/heads/") + h.name()))
                .map(RepoHead::name).findFirst().orElse("");
        return new TriggerCard(t.name(), t.enabled(), tag ? "tag" : "branch", tag ? t.tagRegex() : t.branchRegex(),
                t.invert(), PageViews.text(t.configPath()), t.includedFiles(), t.ignoredFiles(), t.substitutions(),
                t.approvalRequired(), PageViews.text(t.schedule()), PageViews.text(t.scheduleBranch()), t.pullRequest(),
                t.commentControl(), tag ? "tag" : "branch", ref, "");
    }

    private List<RepoHead> heads(String name) {
        Map<String, String> refs;
        try {
            refs = repos.heads(name);
        } catch (IOException | Refusal e) {
            return List.of();   // a mirror not fetched yet, or deleted under the page: no heads to show
        }
        List<RepoHead> heads = new ArrayList<>();
        refs.forEach((ref, sha) -> {
            if (ref.startsWith("refs/heads/")) {
                heads.add(new RepoHead(ref.substring("refs/heads/".length()), false, sha));
            } else if (ref.startsWith("refs/tags/")) {
                heads.add(new RepoHead(ref.substring("refs/tags/".length()), true, sha));
            }
        });
        return heads;
    }

    private boolean hasSecret(String name) {
        try {
            return repos.webhookSecret(name).isPresent();
        } catch (IOException e) {
            return false;
        }
    }
}
