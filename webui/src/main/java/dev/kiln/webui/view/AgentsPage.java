package dev.kiln.webui.view;

import java.util.List;

/** The agents page. */
public record AgentsPage(List<AgentRow> agents) {}
