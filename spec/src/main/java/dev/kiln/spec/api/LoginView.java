package dev.kiln.spec.api;

/** The answer to {@code POST /api/login}: the new API token (shown this once), its user and the user's role. */
public record LoginView(String token, String user, String role) {
    @Override
    public String toString() {
        return "LoginView[token=***, user=" + user + ", role=" + role + "]";
    }
}
