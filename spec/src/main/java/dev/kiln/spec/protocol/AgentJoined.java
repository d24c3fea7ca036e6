package dev.kiln.spec.protocol;

/**
 * The server's answer to {@link AgentJoin}: the agent's id and its own credential, shown this once
 * (the server keeps only a hash). The agent sends the credential on every later call.
 */
public record AgentJoined(String agentId, String credential) {}
