package dev.kiln.server.notify;

import java.util.List;

/** The events the server publishes: what a hook may subscribe to. */
public final class Events {
    public static final String AWAITING_APPROVAL = "promotion.awaiting_approval";
    public static final String GATES_FAILED = "promotion.gates_failed";
    public static final String PROMOTED = "promotion.promoted";
    public static final String FAILED = "promotion.failed";
    public static final String REJECTED = "promotion.rejected";
    public static final String EXPIRED = "promotion.expired";
    /** A newer green build of the source branch replaced an open promotion. */
    public static final String SUPERSEDED = "promotion.superseded";
    public static final String PRODUCTION_BUILD_FAILED = "production.build_failed";

    public static final List<String> ALL = List.of(AWAITING_APPROVAL, GATES_FAILED, PROMOTED, FAILED, REJECTED, EXPIRED,
            SUPERSEDED, PRODUCTION_BUILD_FAILED);

    private Events() {}

    /** A readable phrase for a message line: {@code promotion.gates_failed} is "promotion gates failed". */
    static String words(String event) {
        return event.replace('.', ' ').replace('_', ' ');
    }
}
