package dev.kiln.server.notify;

import dev.kiln.server.git.Refusal;
import dev.kiln.server.secrets.Vault;
import dev.kiln.server.store.Database;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.locks.Lock;
import java.util.function.Predicate;
import org.jdbi.v3.core.Jdbi;

/**
 * The {@code notification_hooks} table and each hook's signing secret, sealed in the {@link Vault}.
 * Everything an admin sends is checked here, so that a bad hook is a 400 and never a row.
 */
final class HookStore {
    /** Enough for every team channel; more is more likely a script gone wrong. */
    static final int MAX_HOOKS = 100;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A hook just added and its secret, which is shown this once. */
    record Added(Hook hook, String secret) {}

    private final Jdbi jdbi;
    private final Lock read;
    private final Lock write;
    private final Vault vault;
    private final Clock clock;

    HookStore(Database db, Vault vault, Clock clock) {
        this.jdbi = db.jdbi();
        this.read = db.visibility().readLock();
        this.write = db.visibility().writeLock();
        this.vault = vault;
        this.clock = clock;
    }

    Added add(String url, boolean slack, List<String> events, String repo, Predicate<String> repoExists) {
        String u = url(url);
        List<String> evs = events(events);
        String r = repo == null || repo.isBlank() ? null : repo.strip();
        if (r != null && !repoExists.test(r)) {
            throw Refusal.badRequest("no repo " + r + " (kiln repos list shows those there are); leave --repo out for every repo");
        }
        if (list().size() >= MAX_HOOKS) {
            throw Refusal.conflict("there are " + MAX_HOOKS + " notification hooks already; remove one first");
        }
        long now = clock.millis();
        long id = Database.under(write, () -> jdbi.withHandle(h -> h.createUpdate("""
                        insert into notification_hooks (url, slack, events, repo, create_time)
                        values (:url, :slack, :events, :repo, :time)""")
                .bind("url", u).bind("slack", slack).bind("events", evs.isEmpty() ? null : String.join(",", evs))
                .bind("repo", r).bind("time", now)
                .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one()));
        // The receiver checks signatures with this text as the HMAC key: hex, so that it pastes into any tool.
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        String secret = HexFormat.of().formatHex(raw);
        try {
            vault.put(Vault.Kind.NOTIFICATION, "", Long.toString(id), secret);
        } catch (RuntimeException e) {
            delete(id);   // a hook that cannot sign must not exist
            throw e;
        }
        return new Added(new Hook(id, u, slack, evs, r, now), secret);
    }

    List<Hook> list() {
        return Database.under(read, () -> jdbi.withHandle(h -> h.createQuery(
                "select id, url, slack, events, repo, create_time from notification_hooks order by id")
                .map((rs, ctx) -> hook(rs)).list()));
    }

    /** The hooks that want {@code event} of {@code repo}. */
    List<Hook> matching(String event, String repo) {
        return list().stream().filter(h -> h.matches(event, repo)).toList();
    }

    boolean remove(long id) {
        boolean gone = delete(id);
        vault.delete(Vault.Kind.NOTIFICATION, "", Long.toString(id));
        return gone;
    }

    Optional<String> secret(long id) {
        return vault.get(Vault.Kind.NOTIFICATION, "", Long.toString(id));
    }

    private boolean delete(long id) {
        return Database.under(write, () -> jdbi.withHandle(h -> h.createUpdate("delete from notification_hooks where id = :id")
                .bind("id", id).execute())) > 0;
    }

    private static Hook hook(ResultSet rs) throws SQLException {
        String events = rs.getString("events");
        return new Hook(rs.getLong("id"), rs.getString("url"), rs.getBoolean("slack"),
                events == null ? List.of() : Arrays.asList(events.split(",")), rs.getString("repo"), rs.getLong("create_time"));
    }

    /** An absolute http or https URL with a host and no credentials in it (the list would show them). */
    static String url(String given) {
        if (given == null || given.isBlank()) {
            throw Refusal.badRequest("url is required: where to post, such as https://hooks.example.com/kiln");
        }
        String u = given.strip();
        if (u.length() > 2000 || u.chars().anyMatch(c -> c <= ' ')) {
            throw Refusal.badRequest("url must be at most 2000 characters, without spaces or control characters");
        }
        URI uri;
        try {
            uri = new URI(u);
        } catch (URISyntaxException e) {
            throw Refusal.badRequest("url is not a URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw Refusal.badRequest("url must be http:// or https:// (got " + (scheme.isEmpty() ? "no scheme" : scheme + ":")
                    + "); notifications are posted over HTTP");
        }
        if (uri.getHost() == null) {
            throw Refusal.badRequest("url must name a host, such as https://hooks.example.com/kiln");
        }
        if (uri.getRawUserInfo() != null) {
            throw Refusal.badRequest("url must not carry a user name or password: the hook's secret signs each delivery");
        }
        return u;
    }

    /** The events asked for, each one the server publishes; none means every event. */
    static List<String> events(List<String> given) {
        if (given == null) {
            return List.of();
        }
        LinkedHashSet<String> out = new LinkedHashSet<>();
        List<String> unknown = new ArrayList<>();
        for (String e : given) {
            String name = e == null ? "" : e.strip();
            if (Events.ALL.contains(name)) {
                out.add(name);
            } else {
                unknown.add(name.length() > 64 ? name.substring(0, 64) + "..." : name);
            }
        }
        if (!unknown.isEmpty()) {
            throw Refusal.badRequest("unknown event " + String.join(", ", unknown) + "; events are " + String.join(", ", Events.ALL));
        }
        return List.copyOf(out);
    }
}
