package dev.kiln.spec.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * An API token as the API shows it: never its hash. {@code role} is its cap ({@code null}: its
 * user's role, whatever that is); {@code token} is set only in the answer of the call that made it,
 * once.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TokenView(String id, String name, String user, String role, Instant createTime, Instant expireTime,
                        Instant revokeTime, String token) {
    @Override
    public String toString() {
        return "TokenView[id=" + id + ", name=" + name + ", user=" + user + ", role=" + role
                + (token == null ? "" : ", token=***") + "]";
    }
}
