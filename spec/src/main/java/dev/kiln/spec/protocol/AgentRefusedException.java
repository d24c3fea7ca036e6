package dev.kiln.spec.protocol;

import java.io.IOException;

/** The server refused this agent's token (HTTP 401): asking again cannot help, so the agent stops. */
public final class AgentRefusedException extends IOException {
    public AgentRefusedException(String message) {
        super(message);
    }
}
