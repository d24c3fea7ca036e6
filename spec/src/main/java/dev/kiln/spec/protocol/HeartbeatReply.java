package dev.kiln.spec.protocol;

/** The server's answer to a heartbeat: whether someone asked for the build to stop. */
public record HeartbeatReply(boolean cancelRequested) {}
