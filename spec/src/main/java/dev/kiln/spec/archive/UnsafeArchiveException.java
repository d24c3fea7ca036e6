package dev.kiln.spec.archive;

import java.io.IOException;

/** An archive entry that would write outside the directory it is unpacked into. */
public final class UnsafeArchiveException extends IOException {
    public UnsafeArchiveException(String message) {
        super(message);
    }
}
