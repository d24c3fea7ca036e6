package dev.kiln.webui.view;

import java.util.List;

/** Cloud Build's statuses as the pages show them. */
public final class Statuses {
    public static final List<String> ALL = List.of("PENDING", "QUEUED", "WORKING", "SUCCESS", "FAILURE",
            "INTERNAL_ERROR", "TIMEOUT", "CANCELLED", "EXPIRED");

    private Statuses() {}

    /** ok, bad, run, wait or off: the colour family of a status. */
    public static String kind(String status) {
        return switch (status) {
            case "SUCCESS" -> "ok";
            case "FAILURE", "INTERNAL_ERROR", "TIMEOUT" -> "bad";
            case "WORKING" -> "run";
            case "PENDING", "QUEUED" -> "wait";
            default -> "off";
        };
    }

    public static boolean isFinal(String status) {
        return !List.of("PENDING", "QUEUED", "WORKING").contains(status);
    }
}
