package dev.kiln.server.git;

import java.time.Duration;

/**
 * A repo as the server keeps it. Times are epoch milliseconds; null when not reached. {@code forge}:
 * where its builds' states are posted (null: nowhere), and how the last post went.
 */
public record Repo(String name, Kind kind, String url, Duration pollInterval, String credentialsUser, long createTime,
                   Long lastPollTime, String lastPollError, Long lastSuccessTime, ForgeLink forge, Long lastStatusTime,
                   String lastStatusError) {

    /** A repo that tells no forge of its builds. */
    public Repo(String name, Kind kind, String url, Duration pollInterval, String credentialsUser, long createTime,
                Long lastPollTime, String lastPollError, Long lastSuccessTime) {
        this(name, kind, url, pollInterval, credentialsUser, createTime, lastPollTime, lastPollError, lastSuccessTime,
                null, null, null);
    }

    /** Who holds the repo's truth. */
    public enum Kind {
        /** Kiln is the remote: people push to it. */
        HOSTED,
        /** A forge is the remote: Kiln keeps a bare mirror and fetches from it. */
        MIRRORED
    }
}
