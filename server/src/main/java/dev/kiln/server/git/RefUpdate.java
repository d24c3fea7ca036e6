package dev.kiln.server.git;

import org.eclipse.jgit.lib.ObjectId;

/**
 * One ref that moved: {@code ref} (a full name, {@code refs/heads/dev}) went from {@code oldSha} to
 * {@code newSha}; all zeros on the old side for a new ref, on the new side for a deleted one.
 */
public record RefUpdate(String ref, String oldSha, String newSha) {
    public static final String ZERO = ObjectId.zeroId().name();

    public static RefUpdate of(String ref, ObjectId oldId, ObjectId newId) {
        return new RefUpdate(ref, (oldId == null ? ObjectId.zeroId() : oldId).name(),
                (newId == null ? ObjectId.zeroId() : newId).name());
    }

    public boolean isDeletion() {
        return newSha.equals(ZERO);
    }

    public boolean isCreation() {
        return oldSha.equals(ZERO);
    }
}
