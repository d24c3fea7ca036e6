package dev.kiln.webui.view;

/** The sign-in form: where to go after, and what went wrong last time (empty for nothing). */
public record LoginPage(String next, String error, String tokenFile) {}
