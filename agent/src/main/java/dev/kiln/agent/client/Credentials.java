package dev.kiln.agent.client;

import dev.kiln.spec.api.LocalServers;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The API token the CLI sends: {@code --token}, else {@code KILN_TOKEN}, else the token
 * {@code kiln login} stored for that server ({@link CredentialsFile}), else the admin token of a
 * server on this machine (found through {@link LocalServers}, then {@code ./kiln-data/admin.token}).
 * {@code tried} says what was looked at and why it failed, for the error a refused request gets.
 */
public record Credentials(String token, String tried) {

    public static Credentials find(String serverUrl, String flag) {
        return find(serverUrl, flag, Path.of(""), CredentialsFile.ofUser());
    }

    /**
     * As {@link #find(String, String)}, looking for {@code kiln-data/admin.token} under {@code here}
     * and for a stored token in {@code stored}.
     */
    static Credentials find(String serverUrl, String flag, Path here, CredentialsFile stored) {
        if (flag != null && !flag.isBlank()) {
            return new Credentials(flag.strip(), "token from --token");
        }
        String env = System.getenv("KILN_TOKEN");
        if (env != null && !env.isBlank()) {
            return new Credentials(env.strip(), "token from KILN_TOKEN");
        }
        try {
            var saved = stored.token(serverUrl);
            if (saved.isPresent()) {
                return new Credentials(saved.get(), "token of `kiln login` from " + stored.path());
            }
        } catch (IOException e) {
            return new Credentials(null, "no token: " + e.getMessage());
        }
        if (!LocalServers.isLocal(serverUrl)) {
            // A token found on this machine belongs to a server on it: never send it elsewhere.
            return new Credentials(null, "no token: no --token, no KILN_TOKEN and no `kiln login` for the server at " + serverUrl);
        }
        List<Path> candidates = new ArrayList<>();
        LocalServers.tokenFile(serverUrl).ifPresent(candidates::add);
        candidates.add(here.resolve("kiln-data").resolve("admin.token").toAbsolutePath());
        List<String> failures = new ArrayList<>();
        for (Path file : candidates) {
            if (!Files.exists(file)) {
                continue;
            }
            try {
                String token = Files.readString(file).strip();
                if (!token.isEmpty()) {
                    return new Credentials(token, "token from " + file);
                }
            } catch (AccessDeniedException e) {
                failures.add("cannot read " + file + ": permission denied (it belongs to the server's user)");
            } catch (IOException e) {
                failures.add("cannot read " + file + ": " + e.getMessage());
            }
        }
        return new Credentials(null, "no token: " + (failures.isEmpty()
                ? "no --token, no KILN_TOKEN, and no admin.token of a server on this machine" : String.join("; ", failures)));
    }
}
