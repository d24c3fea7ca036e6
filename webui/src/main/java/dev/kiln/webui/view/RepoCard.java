package dev.kiln.webui.view;

import java.util.List;

/**
 * A repo as the repos pages show it: text ready to show.
 *
 * @param url          for a hosted repo the URL to clone and push, for a mirror its remote
 * @param webhookUrl   where a forge delivers the mirror's webhooks; empty for a hosted repo (it needs none)
 * @param lastPollError the last poll's or fetch's error, empty when it went well
 * @param forge        where build states are posted ("github owner/repo"), empty when nowhere
 */
public record RepoCard(String name, boolean hosted, String url, String webhookUrl, boolean webhookSecret,
                       List<RepoHead> heads, String pollInterval, Stamp lastPoll, String lastPollError, Stamp lastSuccess,
                       Stamp nextPoll, int failures, String forge, String lastStatusError, int triggers) {

    /** Heads a page lists: a mirror of a forge can have thousands of branches, which {@code kiln repos describe} lists. */
    public static final int SHOWN_HEADS = 300;

    public List<RepoHead> shownHeads() {
        return heads.subList(0, Math.min(SHOWN_HEADS, heads.size()));
    }

    public int hiddenHeads() {
        return Math.max(0, heads.size() - SHOWN_HEADS);
    }

    public String kind() {
        return hosted ? "hosted" : "mirrored";
    }

    public String href() {
        return "/repos/" + name;
    }

    public long branches() {
        return heads.stream().filter(h -> !h.tag()).count();
    }

    public long tags() {
        return heads.stream().filter(RepoHead::tag).count();
    }

    /** ok, bad or off: how its polling goes (a hosted repo is not polled). */
    public String health() {
        return !lastPollError.isEmpty() ? "bad" : hosted || lastSuccess.isEmpty() ? "off" : "ok";
    }
}
