package dev.kiln.agent.archive;

import java.io.IOException;

/** An archive entry that would write outside the directory it is unpacked into. */
public final class UnsafeArchiveException extends IOException {
    public UnsafeArchiveException(String message) {
        super(message);
    }
}
