package dev.kiln.webui.view;

/**
 * Who is looking, for the page header: {@code name} and {@code role} when signed in (empty for an
 * anonymous reader), and the session's form token for the sign-out button (empty when the page was
 * read with an API token, which has no session to end). {@code signInHref}: where Sign in leads.
 */
public record Viewer(String name, String role, String csrf, String signInHref) {
    public boolean signedIn() {
        return !name.isEmpty();
    }
}
