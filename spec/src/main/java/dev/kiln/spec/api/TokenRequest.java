package dev.kiln.spec.api;

/**
 * The body of {@code POST /api/tokens}: an optional {@code name}, {@code expires} (such as {@code 30d},
 * {@code 12h}, {@code 90m}; none: never), {@code role} (at most the caller's; none: the user's own,
 * following it when it changes) and, for an admin, the {@code user} to make it for.
 */
public record TokenRequest(String name, String expires, String role, String user) {}
