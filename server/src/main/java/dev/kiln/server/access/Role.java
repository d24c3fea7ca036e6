package dev.kiln.server.access;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What a user may do, each role including the ones before it: viewers read builds and logs;
 * developers also submit, run triggers, cancel, retry and push to hosted repos; approvers also
 * approve or reject; admins manage repos, triggers, users, secrets, registries and agents.
 */
public enum Role {
    VIEWER, DEVELOPER, APPROVER, ADMIN;

    public boolean atLeast(Role other) {
        return compareTo(other) >= 0;
    }

    /** The lower of two roles: what a token carries of its user's. */
    public Role min(Role other) {
        return other == null || compareTo(other) <= 0 ? this : other;
    }

    /** The higher of two roles; {@code other} may be null. */
    public Role max(Role other) {
        return other == null || compareTo(other) >= 0 ? this : other;
    }

    /** The role one step below this one, or null for the lowest. */
    public Role below() {
        return ordinal() == 0 ? null : values()[ordinal() - 1];
    }

    /** Its name as users type and read it ({@code developer}). */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code viewer}, {@code developer}... (any case); a clear error names the roles. */
    public static Role parse(String text) {
        if (text != null) {
            for (Role r : values()) {
                if (r.name().equalsIgnoreCase(text.strip())) {
                    return r;
                }
            }
        }
        throw new IllegalArgumentException("role must be one of " + names() + ", not '" + text + "'");
    }

    public static String names() {
        return Arrays.stream(values()).map(Role::label).collect(Collectors.joining(", "));
    }
}
