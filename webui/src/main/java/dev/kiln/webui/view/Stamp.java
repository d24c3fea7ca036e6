package dev.kiln.webui.view;

/** A moment as a page shows it: ISO-8601 for a {@code <time datetime>}, and short text for people; both empty when none. */
public record Stamp(String iso, String text) {
    public static final Stamp NONE = new Stamp("", "");

    public boolean isEmpty() {
        return iso.isEmpty();
    }
}
