package dev.kiln.spec.protocol;

import java.io.IOException;

/** The server no longer holds this lease for this agent (expired, or the build already ended). */
public final class LeaseLostException extends IOException {
    public LeaseLostException(String message) {
        super(message);
    }
}
