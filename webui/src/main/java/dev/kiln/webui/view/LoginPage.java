package dev.kiln.webui.view;

/**
 * The sign-in form: where to go after ({@code next}), the user name to fill in again, what went
 * wrong last time ({@code error}) and a {@code notice} (a session that ended); empty for nothing.
 */
public record LoginPage(String next, String user, String error, String notice) {}
