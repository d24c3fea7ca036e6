package dev.kiln.server.git;

import dev.kiln.server.access.Principal;
import dev.kiln.server.access.Role;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.function.Function;

/**
 * Who may clone, fetch and push over HTTP, as forges do it: basic auth with the user's name and one
 * of the user's API tokens as the password. Clone and fetch need a viewer (or nobody, when the server
 * runs with {@code --public-read}); a push needs a developer on that repo. The decision never looks
 * the repo up: an answer without valid credentials is the same whether the repo exists or not.
 * Protected branches are a per-ref check inside the push ({@link BranchProtection}).
 */
public final class PushPolicy {
    /** Let in ({@code principal} set), else refused with {@code status} (401 or 403) and what git shows. */
    public record Decision(Principal principal, int status, String message) {
        static Decision allow(Principal p) {
            return new Decision(p, 200, null);
        }

        public boolean allowed() {
            return principal != null;
        }
    }

    private final Function<String, Optional<Principal>> tokens;
    private final boolean publicRead;

    /** {@code tokens}: the principal of an API token ({@code ApiTokens::verify}). */
    public PushPolicy(Function<String, Optional<Principal>> tokens, boolean publicRead) {
        this.tokens = tokens;
        this.publicRead = publicRead;
    }

    /**
     * What may happen to {@code repo} (null: no repo named) for a request whose {@code Authorization}
     * header is {@code authorization}; {@code push}: the receive-pack service, else a clone or fetch.
     */
    public Decision decide(String authorization, String repo, boolean push) {
        Optional<String[]> basic = basic(authorization);
        if (basic.isEmpty()) {
            if (!push && publicRead && authorization == null) {
                return Decision.allow(Principal.ANONYMOUS);
            }
            return new Decision(null, 401, (authorization == null ? "git over HTTP needs credentials"
                    : "git over HTTP takes basic auth credentials") + ": your user name and an API token as the password"
                    + " (kiln tokens create; or run: git config credential.helper '!kiln git-credential')");
        }
        String user = basic.get()[0];
        Optional<Principal> who = tokens.apply(basic.get()[1]).filter(p -> p.name().equals(user));
        if (who.isEmpty()) {
            return new Decision(null, 401, "the user name and token are not valid here (the token may be revoked,"
                    + " expired, or another user's)");
        }
        Role needed = push ? Role.DEVELOPER : Role.VIEWER;
        Role have = who.get().roleOn(repo);
        if (!have.atLeast(needed)) {
            return new Decision(null, 403, (push ? "pushing to" : "reading") + " repo " + repo + " needs the "
                    + needed.label() + " role on it; " + user + " has " + have.label());
        }
        return Decision.allow(who.get());
    }

    /** The user name and password of a basic auth header, if it is one with a non-empty password. */
    private static Optional<String[]> basic(String header) {
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return Optional.empty();
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        int colon = decoded.indexOf(':');
        if (colon < 0 || colon == decoded.length() - 1) {
            return Optional.empty();
        }
        return Optional.of(new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)});
    }
}
