package dev.kiln.server.notify;

import java.util.List;

/**
 * A configured notification hook. {@code events} empty means every event; {@code repo} null every
 * repo. Its secret is not here: it stays in the vault until a delivery is signed.
 */
public record Hook(long id, String url, boolean slack, List<String> events, String repo, long createTime) {
    public Hook {
        events = List.copyOf(events);
    }

    /** Whether this hook wants {@code event} of {@code repo} (an event of no repo reaches only hooks of every repo). */
    public boolean matches(String event, String repo) {
        return (events.isEmpty() || events.contains(event)) && (this.repo == null || this.repo.equals(repo));
    }
}
