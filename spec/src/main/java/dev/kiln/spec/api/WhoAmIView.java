package dev.kiln.spec.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.Map;

/**
 * {@code GET /api/whoami}: who the credential stands for and what it may do. {@code role} and
 * {@code repoRoles} are what this credential may do (the user's, capped by the token);
 * {@code userRole} is the user's own; {@code tokenId}, {@code tokenRole} (its cap, null: none)
 * and {@code tokenExpireTime} describe the token, when the credential is one.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WhoAmIView(String name, String role, Map<String, String> repoRoles, String userRole, String tokenId,
                         String tokenRole, Instant tokenExpireTime) {}
