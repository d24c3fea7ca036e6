package dev.kiln.spec.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.Map;

/**
 * A user as the API shows it: never a password hash. {@code repoRoles} raise {@code role} on single
 * repos (repo -> role). {@code password} is set only in the answer that generated it (a user added
 * or reset without one), once; the server keeps only its hash.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record UserView(String name, String role, boolean disabled, Map<String, String> repoRoles, Instant createTime,
                       String password) {
    @Override
    public String toString() {
        return "UserView[name=" + name + ", role=" + role + ", disabled=" + disabled + ", repoRoles=" + repoRoles
                + (password == null ? "" : ", password=***") + "]";
    }
}
