package dev.kiln.server.secrets;

import dev.kiln.server.git.Refusal;
import dev.kiln.spec.api.SecretView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The secrets builds get through {@code secretEnv}: set (global, or for one repo's builds only),
 * listed (names, never values), deleted, and resolved for one build. A repo's own secret of a name
 * wins over the global one; a secret of another repo is not there for the build at all.
 */
public final class Secrets {
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,100}");
    static final int MAX_VALUE = 64 * 1024;
    private static final String GLOBAL = "";

    private final Vault vault;

    public Secrets(Vault vault) {
        this.vault = vault;
    }

    /** A secret a build names that is not there for it. */
    public static final class Missing extends Exception {
        public Missing(String message) {
            super(message);
        }
    }

    public SecretView set(String name, String repo, String value) {
        checkName(name);
        String scope = scope(repo);
        if (value == null || value.isEmpty()) {
            throw Refusal.badRequest("the secret's value is empty: send it as the request body (kiln secrets set reads it"
                    + " from stdin)");
        }
        if (value.length() > MAX_VALUE) {
            throw Refusal.badRequest("a secret's value may have at most " + MAX_VALUE + " characters");
        }
        if (value.indexOf('\0') >= 0) {
            throw Refusal.badRequest("a secret's value cannot hold a NUL character: it goes into an environment variable");
        }
        long t = vault.put(Vault.Kind.BUILD, scope, name, value);
        return new SecretView(name, repo(scope), Instant.ofEpochMilli(t));
    }

    public List<SecretView> list() {
        return vault.list(Vault.Kind.BUILD).stream()
                .map(e -> new SecretView(e.name(), repo(e.scope()), Instant.ofEpochMilli(e.updateTime()))).toList();
    }

    public void delete(String name, String repo) {
        checkName(name);
        if (!vault.delete(Vault.Kind.BUILD, scope(repo), name)) {
            throw Refusal.notFound("no secret " + name + (repo == null || repo.isBlank() ? " for every build" : " for repo " + repo)
                    + " (kiln secrets list shows those there are)");
        }
    }

    /**
     * The values of {@code names} for a build of {@code repo} (null: a build of no repo), by name;
     * {@link Missing} naming every one that is not there for it.
     */
    public Map<String, String> resolve(Collection<String> names, String repo) throws Missing {
        Map<String, String> out = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        for (String name : names) {
            Optional<String> v;
            try {
                v = repo == null ? Optional.empty() : vault.get(Vault.Kind.BUILD, repo, name);
                if (v.isEmpty()) {
                    v = vault.get(Vault.Kind.BUILD, GLOBAL, name);
                }
            } catch (IllegalStateException unreadable) {
                // The build fails saying so, rather than its lease failing over and over.
                throw new Missing("secret " + name + ": " + unreadable.getMessage());
            }
            if (v.isPresent()) {
                out.put(name, v.get());
            } else if (!missing.contains(name)) {
                missing.add(name);
            }
        }
        if (!missing.isEmpty()) {
            throw new Missing((missing.size() == 1 ? "secret " : "secrets ") + String.join(", ", missing)
                    + (missing.size() == 1 ? " does" : " do") + " not exist for "
                    + (repo == null ? "builds of no repo" : "builds of repo " + repo)
                    + ": an admin sets one with kiln secrets set NAME" + (repo == null ? "" : " [--repo " + repo + "]")
                    + " (a secret of another repo is not given to this one)");
        }
        return out;
    }

    private static void checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw Refusal.badRequest("a secret's name has 1 to 100 letters, digits, '_' or '-' (as a Secret Manager"
                    + " secret id, which availableSecrets names)");
        }
    }

    private static String scope(String repo) {
        if (repo == null || repo.isBlank()) {
            return GLOBAL;
        }
        return dev.kiln.server.git.Names.repo(repo.strip());
    }

    private static String repo(String scope) {
        return scope.isEmpty() ? null : scope;
    }
}
