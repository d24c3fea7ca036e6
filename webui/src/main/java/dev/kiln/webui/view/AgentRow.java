package dev.kiln.webui.view;

import java.util.List;

/** An agent as the agents page shows it. {@code builds} are the ids of the builds it runs now. */
public record AgentRow(String id, List<String> labels, List<String> builds, String lastSeen, String lastSeenText) {}
