package dev.kiln.spec.api;

/**
 * The body of {@code POST /api/login} ({@code kiln login}): a user's name and password, and what
 * to call the API token it makes ({@code tokenName}, optional) and when that token expires
 * ({@code expires}: {@code 30d}, {@code 12h}, {@code 90m}; null: never).
 */
public record LoginRequest(String user, String password, String tokenName, String expires) {
    @Override
    public String toString() {
        return "LoginRequest[user=" + user + ", password=***, tokenName=" + tokenName + ", expires=" + expires + "]";
    }
}
