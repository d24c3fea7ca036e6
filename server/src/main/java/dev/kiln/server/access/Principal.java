package dev.kiln.server.access;

import java.util.Map;

/**
 * Who made a request, as its credentials say, with what they may do: {@code role} everywhere and
 * {@code repoRoles} raising it on single repos, both already capped by the token's own role.
 * {@code tokenId} names the credential (a token id, a session, {@code anonymous}); {@code name} is
 * the user (or {@code agent:<id>} for an agent).
 */
public record Principal(String tokenId, String name, Role role, Map<String, Role> repoRoles) {
    public Principal {
        repoRoles = repoRoles == null ? Map.of() : Map.copyOf(repoRoles);
    }

    /** Anyone, when an admin turned on public read access. */
    public static final Principal ANONYMOUS = new Principal("anonymous", "anonymous", Role.VIEWER, Map.of());

    /** The role on {@code repo} (null: a build of no repo, such as {@code kiln submit}). */
    public Role roleOn(String repo) {
        return repo == null ? role : role.max(repoRoles.get(repo));
    }

    /** The highest role anywhere: whether a repo-scoped route may be tried at all. */
    public Role highest() {
        Role best = role;
        for (Role r : repoRoles.values()) {
            best = best.max(r);
        }
        return best;
    }

    public boolean can(Role needed, String repo) {
        return roleOn(repo).atLeast(needed);
    }
}
