package dev.kiln.server.access;

/** Who made a request, as its credentials say. {@code role} is "admin" until users and roles exist. */
public record Principal(String tokenId, String name, String role) {}
