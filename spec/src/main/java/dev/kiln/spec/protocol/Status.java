package dev.kiln.spec.protocol;

/** Build and step statuses, as in Cloud Build; SKIPPED is for a step that never started. */
public enum Status {
    PENDING, QUEUED, WORKING, SUCCESS, FAILURE, INTERNAL_ERROR, TIMEOUT, CANCELLED, EXPIRED, SKIPPED;

    public boolean isFinal() {
        return this != PENDING && this != QUEUED && this != WORKING;
    }
}
