package dev.kiln.spec.protocol;

/** An agent joining with the registration token: the name it asks for and the machine it runs on. */
public record AgentJoin(String name, String hostname) {}
