package dev.kiln.webui.view;

/**
 * What the person looking at a page may press there. {@code csrf}: the form token of their
 * session, empty without one (then {@code signedIn} is false and the page offers sign-in);
 * {@code run}: cancel, retry, run a trigger (a developer of the repo); {@code decide}: approve or
 * reject (an approver of the repo). Pages show only the buttons allowed; the server checks again.
 */
public record Buttons(String csrf, boolean signedIn, boolean run, boolean decide) {
    public static final Buttons NONE = new Buttons("", false, false, false);
}
