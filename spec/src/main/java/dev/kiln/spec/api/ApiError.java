package dev.kiln.spec.api;

import java.util.List;

/** The body of every API error: a message, and for a refused config every problem as {@code file:line:col: text}. */
public record ApiError(int status, String message, List<String> problems) {}
