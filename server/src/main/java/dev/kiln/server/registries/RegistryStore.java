package dev.kiln.server.registries;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.kiln.server.git.Refusal;
import dev.kiln.server.secrets.Vault;
import dev.kiln.spec.api.RegistryLogin;
import dev.kiln.spec.api.RegistryView;
import dev.kiln.spec.json.Json;
import dev.kiln.spec.plan.ImageRef;
import dev.kiln.spec.protocol.RegistryCredential;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Registry logins the server hands to builds that push, kept encrypted ({@link Vault}, one sealed
 * JSON entry per host). Passwords never leave this class except inside a lease, to the agent running
 * a build that pushes to that registry. The clear {@code <data-dir>/registries.json} of earlier
 * versions is moved into the vault at start, once, and deleted.
 */
public final class RegistryStore {
    private static final Pattern HOST = Pattern.compile("[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?");

    /** One stored login. */
    record Entry(String username, String password, long loginTime) {
        @Override
        public String toString() {
            return "Entry[username=" + username + ", password=***]";
        }
    }

    private final Vault vault;
    private final Clock clock;

    public RegistryStore(Path dataDir, Vault vault, Clock clock) throws IOException {
        this.vault = vault;
        this.clock = clock;
        Path clear = dataDir.resolve("registries.json");
        if (Files.exists(clear)) {
            Map<String, Entry> old = Json.MAPPER.readValue(clear.toFile(), new TypeReference<Map<String, Entry>>() {});
            old.forEach(this::put);
            Files.delete(clear);
        }
    }

    public synchronized RegistryView login(RegistryLogin login) {
        if (login == null) {
            throw Refusal.badRequest("send {\"host\": ..., \"username\": ..., \"password\": ...}");
        }
        String host = host(login.host());
        String user = login.username();
        if (user == null || user.isBlank() || user.contains(":") || user.chars().anyMatch(Character::isISOControl)
                || user.length() > 256) {
            throw Refusal.badRequest("username must be 1 to 256 characters, without ':' or control characters");
        }
        String password = login.password();
        if (password == null || password.isEmpty() || password.length() > 4096
                || password.chars().anyMatch(c -> c == '\n' || c == '\r' || c == 0)) {
            throw Refusal.badRequest("password must be 1 to 4096 characters on one line (--password-stdin reads one line)");
        }
        long now = clock.millis();
        put(host, new Entry(user, password, now));
        return new RegistryView(host, user, Instant.ofEpochMilli(now));
    }

    public synchronized List<RegistryView> list() {
        List<RegistryView> out = new ArrayList<>();
        read().forEach((host, e) -> out.add(new RegistryView(host, e.username(), Instant.ofEpochMilli(e.loginTime()))));
        return out;
    }

    public synchronized void logout(String host) {
        String h = host(host);
        if (!vault.delete(Vault.Kind.REGISTRY, "", h)) {
            throw Refusal.notFound("no login for registry " + h + " (kiln registries list shows those there are)");
        }
    }

    /** The logins for {@code hosts} that exist; hosts without one get none (a push there fails, saying so). */
    public synchronized List<RegistryCredential> credentialsFor(Collection<String> hosts) {
        if (hosts.isEmpty()) {
            return List.of();
        }
        List<RegistryCredential> out = new ArrayList<>();
        for (String h : hosts) {
            get(h).ifPresent(e -> out.add(new RegistryCredential(h, e.username(), e.password())));
        }
        return out;
    }

    /**
     * A registry as image names spell it: {@code host[:port]}, lower case. A URL as {@code docker
     * login} also takes is reduced to its host; Docker Hub's names are all {@code docker.io}.
     */
    static String host(String given) {
        if (given == null || given.isBlank()) {
            throw Refusal.badRequest("host is required: the registry as image names start with it, such as 127.0.0.1:5000");
        }
        String h = given.strip().toLowerCase(Locale.ROOT).replaceFirst("^[a-z]+://", "");
        int slash = h.indexOf('/');
        if (slash >= 0) {
            h = h.substring(0, slash);
        }
        if (h.equals("index.docker.io") || h.equals("registry-1.docker.io")) {
            h = ImageRef.DOCKER_HUB;
        }
        if (h.length() > 261 || !HOST.matcher(h).matches()) {
            throw Refusal.badRequest("'" + given.strip() + "' is not a registry host: give host or host:port, such as 127.0.0.1:5000");
        }
        return h;
    }

    private Map<String, Entry> read() {
        Map<String, Entry> all = new TreeMap<>();
        for (Vault.Entry e : vault.list(Vault.Kind.REGISTRY)) {
            get(e.name()).ifPresent(entry -> all.put(e.name(), entry));
        }
        return all;
    }

    private java.util.Optional<Entry> get(String host) {
        return vault.get(Vault.Kind.REGISTRY, "", host).map(json -> {
            try {
                return Json.MAPPER.readValue(json, Entry.class);
            } catch (IOException e) {
                throw new UncheckedIOException("a stored registry login is unreadable", e);
            }
        });
    }

    private void put(String host, Entry e) {
        try {
            vault.put(Vault.Kind.REGISTRY, "", host, Json.MAPPER.writeValueAsString(e));
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot store the registry login", ex);
        }
    }
}
