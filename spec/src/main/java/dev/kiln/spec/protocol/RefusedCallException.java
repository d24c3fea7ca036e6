package dev.kiln.spec.protocol;

import java.io.IOException;

/** The server refuses an agent's call as the agent made it; the message says why and is safe to show. */
public class RefusedCallException extends IOException {
    public RefusedCallException(String message) {
        super(message);
    }
}
