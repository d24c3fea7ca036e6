package dev.kiln.spec.api;

/**
 * The body of {@code POST /api/users} ({@code name}, {@code role}, optional {@code password}: without
 * one the answer carries a generated one) and of the calls that change one user: {@code role} for
 * {@code /role}; {@code repo} and {@code role} (null: remove) for {@code /repo-roles}; {@code password}
 * and, for a user changing their own, {@code oldPassword} for {@code /password}.
 */
public record UserRequest(String name, String role, String password, String repo, String oldPassword) {
    public static UserRequest add(String name, String role, String password) {
        return new UserRequest(name, role, password, null, null);
    }

    public static UserRequest role(String role) {
        return new UserRequest(null, role, null, null, null);
    }

    public static UserRequest repoRole(String repo, String role) {
        return new UserRequest(null, role, null, repo, null);
    }

    public static UserRequest password(String password, String oldPassword) {
        return new UserRequest(null, null, password, null, oldPassword);
    }

    @Override
    public String toString() {
        return "UserRequest[name=" + name + ", role=" + role + ", repo=" + repo + ", password=***]";
    }
}
