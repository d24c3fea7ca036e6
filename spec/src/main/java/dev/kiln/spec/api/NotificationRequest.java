package dev.kiln.spec.api;

import java.util.List;

/**
 * A notification hook to add: where to post, whether as a Slack message, which events (empty or
 * null: all of them) and which repo (null: every repo).
 */
public record NotificationRequest(String url, boolean slack, List<String> events, String repo) {}
