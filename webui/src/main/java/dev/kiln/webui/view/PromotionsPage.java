package dev.kiln.webui.view;

import java.util.List;

/**
 * The promotions, newest first, filtered by {@code repo} and {@code state} (empty: any).
 * {@code states}: the states one may filter by; {@code repos}: the repos with a policy or a promotion.
 */
public record PromotionsPage(List<Row> rows, String repo, String state, List<String> states, List<String> repos) {

    /** One promotion in the list; {@code kind} is "promotion" or "rollback". */
    public record Row(String id, String repo, String kind, String state, String stateKind, String from, String to,
                      String shortCommit, String build, Stamp created, String detail) {}

    /** ok, bad, run, wait or off: the colour family of a promotion's state. */
    public static String stateKind(String state) {
        return switch (state) {
            case "PROMOTED" -> "ok";
            case "GATES_FAILED", "FAILED", "REJECTED" -> "bad";
            case "PROMOTING" -> "run";
            case "AWAITING_APPROVAL" -> "wait";
            default -> "off";
        };
    }
}
